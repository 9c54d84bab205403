// Storage: the read-only view of durable Raft state that the core consults (as in etcd).
//
// The core never writes storage. The runtime writes it while handling a Ready (see ready.h)
// and the core then reads what was persisted through this interface.
//
// Log layout contract: storage holds entries [FirstIndex(), LastIndex()]; entry FirstIndex()-1
// is the "dummy" whose term is still known (Term(FirstIndex()-1) succeeds) - it is the index of
// the last compaction/snapshot. An empty, never-compacted log has FirstIndex() == 1 and
// LastIndex() == 0.
//
// Errors: reading below the compaction point returns ErrCompacted(); reading past the end
// returns ErrUnavailable(). Any other error is fatal for the core (it cannot continue safely).
#pragma once

#include <cstdint>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/raft/types.h"

namespace raftstore::raft {

inline Status ErrCompacted(uint64_t index) {
  return Status::NotFound("raft storage: index " + std::to_string(index) +
                          " is compacted (below the snapshot)");
}
inline Status ErrUnavailable(uint64_t index) {
  return Status::Unavailable("raft storage: index " + std::to_string(index) +
                             " is past the end of the log");
}
inline bool IsCompacted(const Status& s) { return s.code() == Status::Code::kNotFound; }
inline bool IsUnavailable(const Status& s) { return s.code() == Status::Code::kUnavailable; }

class Storage {
 public:
  virtual ~Storage() = default;

  // The hard state last persisted (all zero for a new node).
  virtual Result<HardState> InitialState() const = 0;

  // Entries [lo, hi) with FirstIndex() <= lo <= hi <= LastIndex()+1. Returns at least one
  // entry when lo < hi even if it exceeds max_bytes, then stops before exceeding max_bytes.
  virtual Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_bytes) const = 0;

  // Term of entry i, for FirstIndex()-1 <= i <= LastIndex().
  virtual Result<uint64_t> Term(uint64_t i) const = 0;
  virtual Result<uint64_t> FirstIndex() const = 0;
  virtual Result<uint64_t> LastIndex() const = 0;

  // Metadata of the most recent snapshot (index 0 when there is none). Its `membership` is
  // also the configuration the core starts from before replaying membership entries in the log.
  virtual Result<SnapshotMeta> Snapshot() const = 0;
};

}  // namespace raftstore::raft
