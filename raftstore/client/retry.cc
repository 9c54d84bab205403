#include "raftstore/client/retry.h"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/common/deadline.h"

namespace raftstore::client {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {
constexpr milliseconds kFirstBackoff{50};
constexpr milliseconds kMaxBackoff{1000};
}  // namespace

bool Retryable(const Status& st) {
  return st.code() == Status::Code::kUnavailable || st.code() == Status::Code::kNotLeader;
}

Status CallWithRetry(const RetryOptions& options, const std::function<Status(MetaClient&)>& attempt) {
  std::vector<std::string> addrs = options.addrs;
  if (addrs.empty()) addrs.push_back(kDefaultAddress);
  const auto start = Clock::now();
  const auto until = start + options.timeout;
  milliseconds backoff = kFirstBackoff;
  Status last;
  int attempts = 0;
  bool relogged = false;
  for (;;) {
    std::vector<std::string> order = addrs;
    std::rotate(order.begin(), order.begin() + attempts % order.size(), order.end());
    ++attempts;
    auto client = MetaClient::Connect(order, TimeLeft(until));
    if (client.ok()) {
      (*client)->set_timeout(TimeLeft(until));
      last = attempt(**client);
    } else {
      last = client.status();
    }
    // A token that expired or was revoked (a new `auth enable`): log in again once, at once.
    if (last.code() == Status::Code::kUnauthenticated && !relogged && MetaClient::DropToken()) {
      relogged = true;
      continue;
    }
    if (last.ok() || !Retryable(last)) break;
    if (Clock::now() + backoff >= until) break;
    spdlog::debug("attempt {} failed, retrying in {}: {}", attempts, FormatDuration(backoff), last.message());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  if (last.ok() || attempts == 1) return last;
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  // Whole tenths of a second: "3 attempts in 10.0s".
  const std::string secs = std::to_string(took.count() / 1000) + "." + std::to_string(took.count() / 100 % 10) + "s";
  return Status::FromCode(last.code(), last.message() + " (" + std::to_string(attempts) + " attempts in " + secs + ")");
}

}  // namespace raftstore::client
