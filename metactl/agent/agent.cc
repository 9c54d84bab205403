#include "metactl/agent/agent.h"

#include <spdlog/spdlog.h>

#include "metactl/backup_summary.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/interrupt.h"

namespace metactl::agent {

using raftstore::Result;
using raftstore::Status;
namespace backup = raftstore::backup;
using Clock = std::chrono::steady_clock;

Agent::Agent(AgentOptions options) : options_(std::move(options)) {}

Agent::~Agent() { Stop(); }

void Agent::Start() {
  if (options_.interval.count() > 0) scheduler_ = std::thread([this] { Schedule(); });
}

void Agent::Stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  std::vector<std::pair<std::thread, std::shared_ptr<Run>>> workers;
  {
    std::lock_guard<std::mutex> g(mu_);
    workers.swap(workers_);
  }
  for (auto& [t, run] : workers) t.join();
}

std::chrono::milliseconds Agent::Jittered(std::chrono::milliseconds d) {
  const double spread = options_.jitter * static_cast<double>(options_.interval.count());
  std::uniform_real_distribution<double> dist(-spread, spread);
  std::lock_guard<std::mutex> g(mu_);
  return std::max(std::chrono::milliseconds(0),
                  d + std::chrono::milliseconds(static_cast<int64_t>(dist(rng_))));
}

void Agent::JoinFinished() {
  std::vector<std::thread> done;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->second->finished()) {
        done.push_back(std::move(it->first));
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& t : done) t.join();
}

void Agent::Schedule() {
  int failures = 0;
  // The first backup soon after start (at a random point within jitter * interval), then every
  // interval.
  std::chrono::milliseconds first{0};
  {
    std::lock_guard<std::mutex> g(mu_);
    std::uniform_real_distribution<double> dist(0, options_.jitter * static_cast<double>(options_.interval.count()));
    first = std::chrono::milliseconds(static_cast<int64_t>(dist(rng_)));
  }
  auto next = Clock::now() + first;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      if (cv_.wait_until(lk, next, [this] { return stopping_; })) return;
    }
    auto run = StartBackup("", nullptr, kScheduleTrigger);
    std::chrono::milliseconds delay = options_.interval;
    if (!run.ok()) {
      spdlog::warn("metactl agent: scheduled backup not started: {}", run.status().ToString());
    } else {
      // Wait for it; stop() interrupts it through the signal, so this ends.
      while (!(*run)->finished()) {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait_for(lk, std::chrono::milliseconds(100));
      }
      const bool ok = (*run)->state() == RunState::kSuccess;
      {
        std::lock_guard<std::mutex> g(mu_);
        if (stopping_) return;
      }
      failures = ok ? 0 : failures + 1;
      if (failures > 0) {
        delay = std::min<std::chrono::milliseconds>(
            options_.max_backoff, options_.interval * (int64_t{1} << std::min(failures - 1, 20)));
        spdlog::warn("metactl agent: {} failed scheduled backup(s) in a row; next try in {} ms",
                     failures, delay.count());
      }
    }
    next = Clock::now() + Jittered(delay);
  }
}

Result<std::shared_ptr<Run>> Agent::StartBackup(const std::string& id,
                                                const raftstore::KeyFilter* filter,
                                                const std::string& trigger) {
  RS_ASSIGN_OR_RETURN(backup::BackupOptions o, options_.backup_options(filter));
  JoinFinished();
  RS_ASSIGN_OR_RETURN(auto run, backups_.Begin(id, trigger, /*exclusive=*/true));
  std::lock_guard<std::mutex> g(mu_);
  if (stopping_) {
    run->Fail(Status::Aborted("the agent is stopping"));
    return run;
  }
  workers_.emplace_back(std::thread([this, run, o] { ExecuteBackup(run, o); }), run);
  return run;
}

void Agent::ExecuteBackup(std::shared_ptr<Run> run, backup::BackupOptions o) {
  const auto t0 = Clock::now();
  o.observer = &run->observer;
  spdlog::info("metactl agent: backup {} ({}) to {} started", run->id(), run->trigger(),
               options_.location);
  auto fail = [&](const Status& st) {
    spdlog::error("metactl agent: backup {} failed: {}", run->id(), st.ToString());
    Record(*run, std::chrono::duration<double>(Clock::now() - t0).count(), false);
    run->Fail(st);
  };
  auto store = options_.open_store(/*for_backup=*/true);
  if (!store.ok()) return fail(store.status());
  auto m = backup::RunBackup(**store, o);
  if (!m.ok()) return fail(m.status().WithContext("backup to " + (*store)->Describe() + " (no manifest was written)"));
  nlohmann::ordered_json summary = BackupSummaryJson(*m);
  uint64_t location_bytes = 0;
  bool retention_ok = true;
  if (options_.retention) {
    backup::VacuumOptions vo;
    vo.policy = *options_.retention;
    vo.confirm = true;
    auto v = backup::RunVacuum(**store, vo);
    retention_ok = v.ok();
    if (!v.ok()) {
      spdlog::warn("metactl agent: retention after backup {} failed (the backup is kept): {}", m->id(),
                   v.status().ToString());
    } else if (!v->deleted.empty()) {
      spdlog::info("metactl agent: retention deleted {} backup(s) and {} block(s)", v->deleted.size(), v->blocks_deleted);
    }
  }
  if (auto blocks = (*store)->List(backup::kDataDir); blocks.ok()) {
    for (const auto& b : *blocks) location_bytes += b.size;
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    const auto& s = m->stats();
    stats_.blocks_written += s.new_blocks();
    stats_.blocks_reused += s.reused_blocks();
    stats_.last_size_logical = s.logical_bytes();
    stats_.last_size_stored_new = s.new_stored_bytes();
    stats_.stored_bytes_written += s.new_stored_bytes();
    stats_.location_bytes = location_bytes;
    stats_.last_success_unix_s = static_cast<double>(m->time_unix_ms()) / 1000.0;
    if (!retention_ok) stats_.retention_failures++;
  }
  Record(*run, std::chrono::duration<double>(Clock::now() - t0).count(), true);
  spdlog::info("metactl agent: backup {} done: {} ({} new blocks, {} reused)", run->id(), m->id(),
               m->stats().new_blocks(), m->stats().reused_blocks());
  run->Succeed(std::move(summary));
}

void Agent::Record(const Run& run, double seconds, bool ok) {
  const backup::BackupObserver& ob = run.observer;
  std::lock_guard<std::mutex> g(mu_);
  (ok ? stats_.backups_ok : stats_.backups_failed)++;
  if (run.trigger() == kScheduleTrigger) stats_.last_scheduled_ok = ok;
  const double prepare = static_cast<double>(ob.prepare_us) / 1e6;
  const double compression = static_cast<double>(ob.compress_us) / 1e6;
  const double upload = static_cast<double>(ob.upload_us) / 1e6;
  stats_.seconds_total += seconds;
  stats_.prepare_seconds_total += prepare;
  stats_.compression_seconds_total += compression;
  stats_.upload_seconds_total += upload;
  stats_.duration.Observe(seconds);
  stats_.prepare.Observe(prepare);
  stats_.compression.Observe(compression);
  stats_.upload.Observe(upload);
}

Result<std::shared_ptr<Run>> Agent::StartRestore(const RestoreTargets& targets) {
  RS_ASSIGN_OR_RETURN(backup::RestoreOptions o, options_.restore_options(targets));
  JoinFinished();
  const std::string id = targets.latest ? "latest" : targets.backup_id;
  std::lock_guard<std::mutex> g(mu_);
  auto& slot = restores_[id];
  if (slot && !slot->finished()) {
    return Status::Busy("a restore of backup " + id + " is running: wait for it (GET /backups/" + id + "/restore)");
  }
  if (stopping_) return Status::Aborted("the agent is stopping");
  slot = std::make_shared<Run>(id, targets.confirm ? "restore" : "restore-dry-run");
  auto run = slot;
  workers_.emplace_back(std::thread([this, run, o] { ExecuteRestore(run, o); }), run);
  return run;
}

void Agent::ExecuteRestore(std::shared_ptr<Run> run, backup::RestoreOptions o) {
  auto store = options_.open_store(/*for_backup=*/false);
  if (!store.ok()) return run->Fail(store.status());
  o.on_plan = [run](const backup::RestoreResult& plan) {
    run->observer.bytes_total = plan.bytes;
    run->observer.transferring = true;
    return Status::OK();
  };
  auto r = backup::RunRestore(**store, o);
  if (!r.ok()) {
    spdlog::error("metactl agent: restore of backup {} failed: {}", run->id(), r.status().ToString());
    return run->Fail(r.status());
  }
  run->observer.bytes_done = r->bytes_restored;
  nlohmann::ordered_json plan = nlohmann::ordered_json::array();
  for (const auto& line : r->plan) plan.push_back(line);
  run->Succeed({{"backup_id", r->backup_id},
                {"dry_run", r->dry_run},
                {"files", r->files},
                {"bytes", r->bytes},
                {"metadata_records", r->metadata_records},
                {"files_restored", r->files_restored},
                {"bytes_restored", r->bytes_restored},
                {"metadata_restored", r->metadata_restored},
                {"plan", plan}});
}

std::shared_ptr<Run> Agent::RestoreOf(const std::string& backup_id) const {
  std::lock_guard<std::mutex> g(mu_);
  auto it = restores_.find(backup_id);
  return it == restores_.end() ? nullptr : it->second;
}

AgentStats Agent::stats() const {
  std::lock_guard<std::mutex> g(mu_);
  return stats_;
}

}  // namespace metactl::agent
