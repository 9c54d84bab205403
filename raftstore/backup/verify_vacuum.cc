// metactl verify and metactl vacuum.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/backup/hash.h"
#include "raftstore/common/sha256.h"
#include "raftstore/backup/lock.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/repository.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace pb = metasrv::backup;

namespace {

struct Use {
  uint64_t size = 0;
  std::vector<std::string> users;  // "backup X file Y" (first few)
};

void AddUse(std::map<std::string, Use>* uses, const pb::BlockRef& b, const std::string& who) {
  auto& u = (*uses)[BlockHex(b)];
  u.size = b.size();
  if (u.users.size() < 3) u.users.push_back(who);
}

std::string UsersText(const Use& u) {
  std::string s;
  for (const auto& x : u.users) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

Result<VerifyReport> RunVerify(ObjectStore& store, const VerifyOptions& o) {
  VerifyReport rep;
  std::vector<std::string> ids;
  if (!o.backup_id.empty()) {
    ids.push_back(o.backup_id);
  } else {
    RS_ASSIGN_OR_RETURN(ids, ListBackupIds(store));
    if (ids.empty()) {
      return Status::NotFound("no backups at " + store.Describe() + ": check the location");
    }
  }
  std::map<std::string, Use> uses;
  for (const auto& id : ids) {
    auto m = LoadManifest(store, id);
    if (!m.ok()) {
      if (!o.backup_id.empty() && m.status().code() == Status::Code::kNotFound) return m.status();
      rep.problems.push_back(m.status().ToString());
      continue;
    }
    rep.manifests++;
    if (m->has_metadata()) {
      for (const auto& b : m->metadata().blocks()) AddUse(&uses, b, "backup " + id + " metadata");
    }
    for (const auto& f : m->files()) {
      for (const auto& b : f.blocks()) AddUse(&uses, b, "backup " + id + " file " + DisplayPath(*m, f));
    }
  }
  rep.blocks_referenced = uses.size();
  std::map<std::string, uint64_t> present;
  {
    RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
    for (const auto& b : blocks) present[b.key.substr(std::string(kDataDir).size())] = b.size;
  }
  std::vector<std::string> to_read;
  for (const auto& [hex, u] : uses) {
    auto it = present.find(hex);
    if (it == present.end()) {
      rep.problems.push_back("block " + BlockKey(hex) + " is missing (used by " + UsersText(u) + ")");
    } else if (it->second != u.size) {
      rep.problems.push_back("block " + BlockKey(hex) + " has size " + std::to_string(it->second) +
                             ", expected " + std::to_string(u.size) + " (used by " +
                             UsersText(u) + ")");
    } else {
      to_read.push_back(hex);
    }
  }
  for (const auto& [hex, size] : present) {
    if (!uses.count(hex)) rep.unreferenced_blocks++;
  }
  (void)present;
  if (o.read_percent > 0) {
    if (o.read_percent < 100) {
      std::mt19937_64 rng{std::random_device{}()};
      std::shuffle(to_read.begin(), to_read.end(), rng);
      size_t n = static_cast<size_t>(std::ceil(to_read.size() * o.read_percent / 100.0));
      to_read.resize(std::min(n, to_read.size()));
    }
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::vector<std::thread> threads;
    std::atomic<uint64_t> bytes{0}, blocks{0};
    for (int t = 0; t < std::max(1, o.workers); ++t) {
      threads.emplace_back([&] {
        for (;;) {
          size_t i = next++;
          if (i >= to_read.size()) return;
          const std::string& hex = to_read[i];
          auto data = store.Get(BlockKey(hex));
          std::string problem;
          if (!data.ok()) {
            problem = data.status().ToString();
          } else {
            bytes += data->size();
            blocks++;
            std::string got = raftstore::Sha256::Hex(*data);
            if (got != hex) {
              problem = "block " + BlockKey(hex) + " is damaged: its content hashes to " + got +
                        " (used by " + UsersText(uses.at(hex)) + ")";
            }
          }
          if (!problem.empty()) {
            std::lock_guard<std::mutex> g(mu);
            rep.problems.push_back(problem);
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    rep.blocks_read = blocks;
    rep.bytes_read = bytes;
  }
  return rep;
}

Status ValidatePolicy(const VacuumPolicy& p) {
  if (!p.retention_days && !p.max_backups) {
    return Status::InvalidArgument(
        "empty vacuum policy: give --retention-days and/or --max-backups (vacuum never deletes "
        "without a rule)");
  }
  if (p.retention_days && *p.retention_days < 0) {
    return Status::InvalidArgument("--retention-days must be >= 0");
  }
  if (p.min_retention_days && *p.min_retention_days < 0) {
    return Status::InvalidArgument("--min-retention-days must be >= 0");
  }
  if (p.max_backups && *p.max_backups < 1) {
    return Status::InvalidArgument("--max-backups must be >= 1");
  }
  if (p.min_backups && *p.min_backups < 0) {
    return Status::InvalidArgument("--min-backups must be >= 0");
  }
  return Status::OK();
}

std::vector<std::string> SelectForDeletion(std::vector<BackupTime> backups,
                                           const VacuumPolicy& p) {
  std::vector<std::string> out;
  if (backups.empty()) return out;
  // Newest first (ties by id).
  std::sort(backups.begin(), backups.end(), [](const BackupTime& a, const BackupTime& b) {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.id > b.id;
  });
  const int64_t newest = backups.front().time_ms;
  const double kDayMs = 86400000.0;
  const int64_t min_backups = p.min_backups.value_or(1);
  for (size_t rank = 0; rank < backups.size(); ++rank) {
    const auto& b = backups[rank];
    double age_days = (newest - b.time_ms) / kDayMs;
    bool del = false;
    if (p.retention_days && age_days > *p.retention_days) del = true;
    if (p.max_backups && static_cast<int64_t>(rank) >= *p.max_backups) del = true;
    if (static_cast<int64_t>(rank) < min_backups) del = false;
    if (p.min_retention_days && age_days < *p.min_retention_days) del = false;
    if (del) out.push_back(b.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<VacuumReport> RunVacuum(ObjectStore& store, const VacuumOptions& o) {
  RS_RETURN_IF_ERROR(ValidatePolicy(o.policy));
  VacuumReport rep;
  rep.dry_run = !o.confirm;
  std::unique_ptr<RepoLock> lock;
  if (o.confirm) {
    RS_ASSIGN_OR_RETURN(lock, RepoLock::Acquire(store, /*exclusive=*/true, o.break_lock));
  }
  RS_ASSIGN_OR_RETURN(auto ids, ListBackupIds(store));
  std::map<std::string, pb::Manifest> manifests;
  std::vector<BackupTime> times;
  for (const auto& id : ids) {
    auto m = LoadManifest(store, id);
    if (!m.ok()) {
      return m.status().WithContext(
          "vacuum: cannot read every manifest, so it cannot know which blocks are in use; "
          "nothing was deleted (run `metactl verify`, and move the damaged manifest away if it "
          "cannot be repaired)");
    }
    times.push_back({id, m->time_unix_ms()});
    manifests.emplace(id, std::move(*m));
  }
  rep.deleted = SelectForDeletion(times, o.policy);
  std::set<std::string> doomed(rep.deleted.begin(), rep.deleted.end());
  std::set<std::string> needed;
  for (const auto& [id, m] : manifests) {
    if (doomed.count(id)) continue;
    rep.kept.push_back(id);
    if (m.has_metadata()) {
      for (const auto& b : m.metadata().blocks()) needed.insert(BlockHex(b));
    }
    for (const auto& f : m.files()) {
      for (const auto& b : f.blocks()) needed.insert(BlockHex(b));
    }
  }
  RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
  std::vector<ObjectInfo> garbage;
  for (auto& b : blocks) {
    std::string hex = b.key.substr(std::string(kDataDir).size());
    if (needed.count(hex)) {
      rep.blocks_kept++;
    } else {
      rep.bytes_deleted += b.size;
      garbage.push_back(b);
    }
  }
  rep.blocks_deleted = garbage.size();
  if (!o.confirm) return rep;

  // Manifests first: a block is deleted only once no remaining manifest can reference it.
  for (const auto& id : rep.deleted) {
    RS_RETURN_IF_ERROR(store.Delete(ManifestKey(id)).WithContext("vacuum: delete manifest"));
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        size_t i = next++;
        if (i >= garbage.size()) return;
        Status st = store.Delete(garbage[i].key);
        if (!st.ok()) {
          std::lock_guard<std::mutex> g(mu);
          if (first.ok()) first = st;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  RS_RETURN_IF_ERROR(first.WithContext("vacuum: delete unreferenced block (re-run vacuum to finish)"));
  RS_RETURN_IF_ERROR(lock->Release());
  return rep;
}

}  // namespace raftstore::backup
