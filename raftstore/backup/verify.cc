// RunVerify: every manifest readable, every referenced block present with its size, and
// (optionally) re-hashed.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <random>

#include <spdlog/spdlog.h>

#include "raftstore/backup/block_codec.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/verify.h"
#include "raftstore/common/hex.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/parallel_for.h"
#include "raftstore/common/progress.h"
#include "raftstore/common/sha256.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace pb = metasrv::backup;

namespace {

struct Use {
  pb::BlockRef ref;  // as the last manifest read names it (sizes: block_codec.h)
  std::vector<std::string> users;  // "backup X file Y" (first few)
};

void AddUse(std::map<std::string, Use>* uses, const pb::BlockRef& b, const std::string& who) {
  auto& u = (*uses)[BlockHex(b)];
  u.ref = b;
  if (u.users.size() < 3) u.users.push_back(who);
}

std::string UsersText(const Use& u) {
  std::string s;
  for (const auto& x : u.users) s += (s.empty() ? "" : ", ") + x;
  return s;
}

using Uses = std::map<std::string, Use>;

// Reads every manifest of `ids` and records which blocks they use; unreadable manifests are
// problems (an error only when the one named backup does not exist).
Status CollectUses(ObjectStore& store, const VerifyOptions& o, const std::vector<std::string>& ids,
                   Uses* uses, VerifyReport* rep) {
  for (const auto& id : ids) {
    auto m = LoadManifest(store, id);
    if (!m.ok()) {
      if (!o.backup_id.empty() && m.status().code() == Status::Code::kNotFound) return m.status();
      rep->problems.push_back(m.status().ToString());
      continue;
    }
    rep->manifests++;
    if (m->has_metadata()) {
      for (const auto& b : m->metadata().blocks()) AddUse(uses, b, "backup " + id + " metadata");
    }
    for (const auto& f : m->files()) {
      for (const auto& b : f.blocks()) AddUse(uses, b, "backup " + id + " file " + DisplayPath(*m, f));
    }
  }
  rep->blocks_referenced = uses->size();
  return Status::OK();
}

// Checks presence and size of every used block; returns the ones that can be read back.
Result<std::vector<std::string>> CheckPresent(ObjectStore& store, const Uses& uses,
                                              VerifyReport* rep) {
  std::map<std::string, uint64_t> present;
  RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
  for (const auto& b : blocks) present[b.key.substr(std::string(kDataDir).size())] = b.size;
  std::vector<std::string> to_read;
  for (const auto& [hex, u] : uses) {
    auto it = present.find(hex);
    if (it == present.end()) {
      rep->problems.push_back("block " + BlockKey(hex) + " is missing (used by " + UsersText(u) + ")");
    } else if (!ListedSizeFits(u.ref, it->second)) {
      rep->problems.push_back("block " + BlockKey(hex) + " has size " + std::to_string(it->second) +
                              ", expected " + std::to_string(StoredSize(u.ref)) + " (used by " +
                              UsersText(u) + ")");
    } else {
      to_read.push_back(hex);
    }
  }
  for (const auto& [hex, size] : present) {
    if (!uses.count(hex)) rep->unreferenced_blocks++;
  }
  return to_read;
}

// Re-hashes read_percent of `to_read` (a random choice below 100%). Fails only when interrupted.
Status ReadBack(ObjectStore& store, const VerifyOptions& o, const Uses& uses,
              std::vector<std::string> to_read, VerifyReport* rep) {
  if (o.read_percent < 100) {
    std::mt19937_64 rng{std::random_device{}()};
    std::shuffle(to_read.begin(), to_read.end(), rng);
    size_t n = static_cast<size_t>(std::ceil(to_read.size() * o.read_percent / 100.0));
    to_read.resize(std::min(n, to_read.size()));
  }
  std::mutex mu;
  std::atomic<uint64_t> bytes{0}, blocks{0};
  raftstore::Progress progress({.enabled = o.progress,
                                .verb = "verify",
                                .unit = raftstore::Progress::Unit::kBlocks,
                                .total = to_read.size()});
  // A damaged or missing block is a finding, not an error: every block is read.
  Status st = raftstore::ParallelFor(to_read.size(), o.workers, [&](size_t i) {
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    progress.Add(1);
    const std::string& hex = to_read[i];
    const Use& use = uses.at(hex);
    auto stored = store.Get(BlockKey(hex));
    if (stored.ok()) bytes += stored->size();
    auto data = stored.ok() ? DecodeStoredBlock(std::move(*stored), use.ref.size(),
                                                "block " + BlockKey(hex))
                            : Result<std::string>(stored.status());
    std::string problem;
    if (!data.ok()) {
      // An encrypted block whose GCM tag fails, or a compressed one that does not decompress,
      // lands here too: name the files using it.
      problem = data.status().ToString() + " (used by " + UsersText(use) + ")";
    } else {
      blocks++;
      Digest d = store.BlockId(*data);
      std::string got = HexEncode(d.data(), d.size());
      if (got != hex) {
        problem = "block " + BlockKey(hex) + " is damaged: its content hashes to " + got +
                  " (used by " + UsersText(use) + ")";
      }
    }
    if (!problem.empty()) {
      std::lock_guard<std::mutex> g(mu);
      rep->problems.push_back(problem);
    }
    return Status::OK();
  });
  progress.Stop();
  rep->blocks_read = blocks;
  rep->bytes_read = bytes;
  return st;
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
  Uses uses;
  RS_RETURN_IF_ERROR(CollectUses(store, o, ids, &uses, &rep));
  RS_ASSIGN_OR_RETURN(auto to_read, CheckPresent(store, uses, &rep));
  if (o.read_percent > 0) RS_RETURN_IF_ERROR(ReadBack(store, o, uses, std::move(to_read), &rep));
  return rep;
}

}  // namespace raftstore::backup
