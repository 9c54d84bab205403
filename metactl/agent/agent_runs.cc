#include "metactl/agent/agent_runs.h"

#include <chrono>

namespace metactl::agent {

using raftstore::Result;
using raftstore::Status;

const char* RunStateName(RunState s) {
  switch (s) {
    case RunState::kStarted: return "STARTED";
    case RunState::kTransferring: return "TRANSFERRING";
    case RunState::kSuccess: return "SUCCESS";
    case RunState::kFailed: return "FAILED";
  }
  return "?";
}

int64_t Run::NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void Run::SetState(RunState s) {
  std::lock_guard<std::mutex> g(mu_);
  if (state_ == RunState::kSuccess || state_ == RunState::kFailed) return;
  state_ = s;
  if (s == RunState::kSuccess || s == RunState::kFailed) finished_ms_ = NowUnixMs();
}

void Run::Succeed(nlohmann::ordered_json result) {
  {
    std::lock_guard<std::mutex> g(mu_);
    result_ = std::move(result);
  }
  SetState(RunState::kSuccess);
}

void Run::Fail(const Status& st) {
  {
    std::lock_guard<std::mutex> g(mu_);
    error_ = st.ToString();
  }
  SetState(RunState::kFailed);
}

RunState Run::state() const {
  std::lock_guard<std::mutex> g(mu_);
  return StateLocked();
}

RunState Run::StateLocked() const {
  if (state_ == RunState::kStarted && observer.transferring) return RunState::kTransferring;
  return state_;
}

bool Run::finished() const {
  const RunState s = state();
  return s == RunState::kSuccess || s == RunState::kFailed;
}

nlohmann::ordered_json Run::ToJson() const {
  std::lock_guard<std::mutex> g(mu_);
  nlohmann::ordered_json j = {{"id", id_},
                              {"status", RunStateName(StateLocked())},
                              {"trigger", trigger_},
                              {"bytes_done", observer.bytes_done.load()},
                              {"bytes_total", observer.bytes_total.load()},
                              {"started_unix_ms", started_ms_},
                              {"finished_unix_ms", finished_ms_}};
  if (state_ == RunState::kSuccess) j["result"] = result_;
  if (state_ == RunState::kFailed) j["error"] = error_;
  return j;
}

namespace {

bool ValidId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::shared_ptr<Run>> RunTable::Begin(std::string id, const std::string& trigger,
                                             bool exclusive) {
  std::lock_guard<std::mutex> g(mu_);
  if (id.empty()) {
    id = trigger + "-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()) +
         "-" + std::to_string(next_++);
  } else if (!ValidId(id)) {
    return Status::InvalidArgument("id \"" + id + "\": give 1 to 64 letters, digits, '_', '.' or '-'");
  }
  if (runs_.count(id) > 0) {
    return Status::AlreadyExists("id \"" + id + "\" is taken by an earlier run: give another");
  }
  if (exclusive) {
    for (const auto& [rid, run] : runs_) {
      if (!run->finished()) {
        return Status::Busy("backup " + rid + " is running: wait for it (GET /backups/" + rid + ")");
      }
    }
  }
  auto run = std::make_shared<Run>(id, trigger);
  runs_[id] = run;
  order_.push_back(id);
  while (order_.size() > kMaxRunsKept) {
    auto it = runs_.find(order_.front());
    if (it != runs_.end() && !it->second->finished()) break;  // never drop a running one
    if (it != runs_.end()) runs_.erase(it);
    order_.pop_front();
  }
  return run;
}

std::shared_ptr<Run> RunTable::Get(const std::string& id) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second;
}

std::shared_ptr<Run> RunTable::Running() const {
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& [id, run] : runs_) {
    if (!run->finished()) return run;
  }
  return nullptr;
}

std::vector<std::shared_ptr<Run>> RunTable::All() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::shared_ptr<Run>> out;
  for (const auto& id : order_) {
    if (auto it = runs_.find(id); it != runs_.end()) out.push_back(it->second);
  }
  return out;
}

}  // namespace metactl::agent
