// The backups and restores the agent started (by its schedule or by POST), as its HTTP API
// shows them: GET /backups/{id} and GET /backups/{id}/restore.
//
// Contract: thread-safe. At most one backup runs at a time (Begin refuses a second with Busy,
// naming the running one); ids are unique among the runs kept (the newest kMaxRunsKept). A run
// goes STARTED -> TRANSFERRING -> SUCCESS or FAILED, never back.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "raftstore/backup/backup.h"
#include "raftstore/common/status.h"

namespace metactl::agent {

enum class RunState { kStarted, kTransferring, kSuccess, kFailed };
const char* RunStateName(RunState s);  // "STARTED", "TRANSFERRING", "SUCCESS", "FAILED"

// One backup or restore.
class Run {
 public:
  Run(std::string id, std::string trigger) : id_(std::move(id)), trigger_(std::move(trigger)) {}

  const std::string& id() const { return id_; }
  const std::string& trigger() const { return trigger_; }
  // A backup's progress (RunBackup writes it); a restore sets bytes_total and transferring
  // from its plan. An unfinished run is TRANSFERRING once observer.transferring is set.
  raftstore::backup::BackupObserver observer;

  // `result`: what the API shows of the outcome (the backup's summary, the restore's counts).
  void Succeed(nlohmann::ordered_json result);
  void Fail(const raftstore::Status& st);
  bool finished() const;
  RunState state() const;

  // {"id", "status", "trigger", "bytes_done", "bytes_total", "started_unix_ms",
  //  "finished_unix_ms", then "result" on SUCCESS or "error" on FAILED}.
  nlohmann::ordered_json ToJson() const;

 private:
  void SetState(RunState s);
  RunState StateLocked() const;  // mu_ held

  const std::string id_, trigger_;
  const int64_t started_ms_ = NowUnixMs();
  mutable std::mutex mu_;
  RunState state_ = RunState::kStarted;  // kStarted until finished: state() derives TRANSFERRING
  int64_t finished_ms_ = 0;
  std::string error_;
  nlohmann::ordered_json result_;

  static int64_t NowUnixMs();
};

class RunTable {
 public:
  static constexpr size_t kMaxRunsKept = 200;

  // A new run; `id` "" for a generated one ("<kind>-<unix ms>-<n>"). InvalidArgument for an id
  // that is not 1-64 of [A-Za-z0-9_.-]; AlreadyExists when taken; with `exclusive`, Busy when a
  // run of this table is not finished (the message names it).
  raftstore::Result<std::shared_ptr<Run>> Begin(std::string id, const std::string& trigger,
                                                bool exclusive);
  std::shared_ptr<Run> Get(const std::string& id) const;
  std::shared_ptr<Run> Running() const;  // the unfinished run, or null
  std::vector<std::shared_ptr<Run>> All() const;  // oldest first

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Run>> runs_;
  std::deque<std::string> order_;  // oldest first
  uint64_t next_ = 1;
};

}  // namespace metactl::agent
