// The backup agent behind `metactl agent` (docs/backup-service.md): backups of a cluster's
// metadata and data dirs every interval, on request, retention after each success, and the
// state its HTTP API (agent_http.h) and metrics show.
//
// Contract:
//  - One backup at a time (the RunTable refuses a second); a scheduled time that finds one
//    running is skipped (logged) and the next one is planned from then.
//  - Schedule: the first backup within jitter * interval of Start(), then every interval,
//    each time moved by up to +-jitter * interval at random, so agents started together do not
//    hit a location at once. After a failed scheduled backup the next try waits interval *
//    2^(failures-1), at most max_backoff; a success resets it.
//  - A backup is SUCCESS once its manifest is written and the retention policy ran (a retention
//    failure is logged and counted in backup_retention_failure_count; it does not fail the
//    backup, whose manifest exists). FAILED leaves no manifest (RunBackup's contract).
//  - Stop() (SIGTERM) lets a running backup see the interrupt (raftstore/common/interrupt.h)
//    and end without a manifest, and joins the threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "metactl/agent/agent_runs.h"
#include "metactl/restore_options.h"
#include "raftstore/backup/backup.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/backup/restore.h"
#include "raftstore/backup/vacuum.h"
#include "raftstore/common/latency_histogram.h"
#include "raftstore/common/status.h"
#include "raftstore/export_format/key_filter.h"

namespace metactl::agent {

struct AgentOptions {
  std::string location;  // for messages and logs
  // Opens the location (with its S3 and encryption settings). `for_backup`: a backup may create
  // the directory and make a fresh location encrypted; a listing or a restore only reads (a
  // location with nothing yet is NotFound).
  std::function<raftstore::Result<std::unique_ptr<raftstore::backup::ObjectStore>>(bool for_backup)>
      open_store;
  // The options of one backup; `filter` (nullable) replaces the configured prefix filter.
  std::function<raftstore::Result<raftstore::backup::BackupOptions>(
      const raftstore::KeyFilter* filter)>
      backup_options;
  // The options of one restore (import functions included): MakeRestoreOptions.
  std::function<raftstore::Result<raftstore::backup::RestoreOptions>(const RestoreTargets&)>
      restore_options;
  std::optional<raftstore::backup::VacuumPolicy> retention;
  std::chrono::milliseconds interval{0};  // 0: no schedule, backups on request only
  double jitter = 0.1;
  std::chrono::milliseconds max_backoff{std::chrono::hours(1)};
};

// What /metrics shows (agent_http.cc renders it; names in docs/backup-service.md).
struct AgentStats {
  uint64_t backups_ok = 0, backups_failed = 0, retention_failures = 0;
  uint64_t blocks_written = 0, blocks_reused = 0;
  uint64_t last_size_logical = 0, last_size_stored_new = 0;  // of the last successful backup
  uint64_t stored_bytes_written = 0;                         // new stored bytes, all backups
  uint64_t location_bytes = 0;        // objects under data/ after the last success
  double last_success_unix_s = 0;
  double seconds_total = 0, prepare_seconds_total = 0, compression_seconds_total = 0,
         upload_seconds_total = 0;
  raftstore::Histogram duration, prepare, compression, upload;
  // Set with the counters above, under the same lock, so that /healthz never disagrees with
  // /metrics (a success counted while healthz still reports the failure before it).
  std::optional<bool> last_scheduled_ok;  // nullopt: none was due yet
};

// The trigger of the runs the scheduler starts (the API's are kApiTrigger).
inline constexpr const char* kScheduleTrigger = "schedule";
inline constexpr const char* kApiTrigger = "api";

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();

  void Start();  // the scheduler (when interval > 0)
  void Stop();

  // Starts a backup now on its own thread: STARTED at once. Busy (naming the running one),
  // AlreadyExists or InvalidArgument from RunTable::Begin; an options error as it is.
  raftstore::Result<std::shared_ptr<Run>> StartBackup(const std::string& id,
                                                      const raftstore::KeyFilter* filter,
                                                      const std::string& trigger);
  // Starts a restore of `targets` (backup_id, or latest) on its own thread, one per backup at
  // a time; its run is named by the backup id ("latest" for latest).
  raftstore::Result<std::shared_ptr<Run>> StartRestore(const RestoreTargets& targets);

  const RunTable& backups() const { return backups_; }
  std::shared_ptr<Run> RestoreOf(const std::string& backup_id) const;
  AgentStats stats() const;
  const AgentOptions& options() const { return options_; }

 private:
  void Schedule();
  void ExecuteBackup(std::shared_ptr<Run> run, raftstore::backup::BackupOptions o);
  void ExecuteRestore(std::shared_ptr<Run> run, raftstore::backup::RestoreOptions o);
  // Counts a finished backup run (and, for a scheduled one, the health verdict). Called before
  // the run is marked finished, so whoever sees it finished sees it counted.
  void Record(const Run& run, double seconds, bool ok);
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);
  void JoinFinished();

  AgentOptions options_;
  RunTable backups_;
  mutable std::mutex mu_;  // guards what follows
  std::condition_variable cv_;
  bool stopping_ = false;
  AgentStats stats_;
  std::map<std::string, std::shared_ptr<Run>> restores_;  // by backup id: the newest
  std::vector<std::pair<std::thread, std::shared_ptr<Run>>> workers_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::thread scheduler_;
};

}  // namespace metactl::agent
