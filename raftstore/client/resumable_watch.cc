#include "raftstore/client/resumable_watch.h"

#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/client/meta_client.h"

namespace raftstore::client {

namespace {

// Where the events passed on so far end: the last log index and how many of its events.
struct Position {
  uint64_t index = 0;
  uint64_t seen_at_index = 0;
  // The start_after_index that gives those events' successors: the events of `index` are
  // asked for again (and the seen ones skipped) when only some of them may have been passed on.
  uint64_t ResumeAfter() const { return seen_at_index > 0 ? index - 1 : index; }
};

}  // namespace

Status ResumableWatch(const std::vector<std::string>& addrs, std::chrono::milliseconds timeout,
                      metasrv::WatchRequest req, const std::function<bool(const metasrv::WatchEvent&)>& on_event,
                      const std::atomic<bool>& stop) {
  auto connected = MetaClient::Connect(addrs, timeout);
  if (!connected.ok()) return connected.status();
  std::unique_ptr<MetaClient> client = std::move(connected).value();
  const bool reattach = addrs.size() > 1;
  Position pos;
  pos.index = req.start_after_index();
  if (reattach && pos.index == 0) {
    // Resuming needs an index to resume after, also before the first change arrives.
    auto status = client->GetStatus(/*count_keys=*/false);
    if (!status.ok()) return status.status();
    pos.index = status->last_applied();
  }
  size_t cur = 0;
  for (size_t i = 0; i < addrs.size(); ++i) {
    if (addrs[i] == client->address()) cur = i;
  }
  bool flushing = req.initial_flush();
  bool any_change = false;
  size_t idle_attempts = 0;  // attempts in a row that passed nothing on
  std::string answers;       // their errors
  for (;;) {
    metasrv::WatchRequest r = req;
    r.set_start_after_index(pos.ResumeAfter());
    uint64_t skip = pos.seen_at_index;
    bool passed = false;
    Status st = client->Watch(
        r,
        [&](const metasrv::WatchEvent& ev) {
          if (!ev.initial()) {
            if (skip > 0 && ev.log_index() == pos.index) {
              --skip;  // passed on from the stream before
              return true;
            }
            pos.seen_at_index = ev.log_index() == pos.index ? pos.seen_at_index + 1 : 1;
            pos.index = ev.log_index();
            any_change = true;
          }
          passed = true;
          return on_event(ev);
        },
        stop);
    if (st.ok() || stop.load()) return Status::OK();
    if (!reattach || st.code() == Status::Code::kInvalidArgument) return st;
    if (flushing && !any_change) {
      return Status::Aborted(st.message() + "; the stream ended during the initial flush (it may be incomplete): "
                                            "watch again");
    }
    flushing = false;
    req.set_initial_flush(false);
    if (passed) {
      idle_attempts = 0;
      answers.clear();
    }
    answers += (answers.empty() ? "" : "; ") + st.message();
    if (++idle_attempts >= 2 * addrs.size()) {
      return Status::Unavailable("no metasrv took the watch back to resume after log index " +
                                 std::to_string(pos.index) + ": " + answers);
    }
    cur = (cur + 1) % addrs.size();
    spdlog::warn("watch: {}; resuming after log index {} at {}", st.message(), pos.index, addrs[cur]);
    // A pause once every address was tried: the cluster may be electing a leader.
    if (idle_attempts >= addrs.size()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    client = MetaClient::Dial(addrs[cur], timeout);
  }
}

}  // namespace raftstore::client
