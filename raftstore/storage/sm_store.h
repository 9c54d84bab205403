// Typed storage of the state machine's records (keys.h: K key-values, E expire index, Q
// sequences, N nodes, M meta): reads at a view, and SmBatch, the writes of one applied entry.
//
// Values are returned as stored: a key-value whose expiry has passed is still returned (the
// state machine decides what "live" means at its entry's time).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/model/kv.h"
#include "raftstore/model/log_id.h"
#include "raftstore/model/membership.h"
#include "raftstore/model/node.h"

namespace raftstore {

// fn(key, value) returns false to stop.
using KvVisitor = std::function<bool(std::string_view key, const SeqV& value)>;

// The stored value of `key` at `view` (null: latest).
Result<std::optional<SeqV>> ReadKv(const RaftDir& dir, std::string_view key, const ReadView* view = nullptr);

// Visits the stored key-values starting with `prefix`, in key order, at `view` (null: one
// iterator's view). Corruption naming the key when a value does not decode.
Status ScanKv(const RaftDir& dir, std::string_view prefix, const ReadView* view, const KvVisitor& fn);

// The keys of the expire index entries whose time is <= `upto_ms`, in (time, seq) order, at
// most `limit` (0: no limit).
Result<std::vector<std::string>> ScanExpiredKeys(const RaftDir& dir, uint64_t upto_ms, uint64_t limit);

// The writes of one entry, applied atomically by Commit(). Reads through the batch see its own
// pending writes over the latest state of the dir (RocksDB's WriteBatchWithIndex). One
// applier at a time (the caller serializes); not thread safe.
class SmBatch {
 public:
  explicit SmBatch(RaftDir* dir);
  ~SmBatch();
  SmBatch(const SmBatch&) = delete;
  SmBatch& operator=(const SmBatch&) = delete;

  Result<std::optional<SeqV>> GetKv(std::string_view key) const;
  // As ScanKv above, pending writes merged in. `fn` must not write to the batch.
  Status ScanKv(std::string_view prefix, const KvVisitor& fn) const;
  void PutKv(std::string_view key, const SeqV& value);
  void DeleteKv(std::string_view key);

  // The sequence's last value handed out (0 when absent).
  Result<uint64_t> GetSequence(const std::string& name) const;
  void PutSequence(const std::string& name, uint64_t value);

  // InvalidArgument naming the key when it cannot be stored (not valid UTF-8 for JSON).
  Status PutExpire(uint64_t time_ms, uint64_t seq, const ExpireValue& value);
  void DeleteExpire(uint64_t time_ms, uint64_t seq);

  Result<std::optional<Node>> GetNode(uint64_t node_id) const;
  Status PutNode(uint64_t node_id, const Node& node);
  void DeleteNode(uint64_t node_id);

  Status PutLastMembership(const StoredMembership& membership);
  Status PutLastApplied(const LogId& log_id);

  // Writes everything atomically (with `sync`, the WAL is fsync()ed first).
  Status Commit(bool sync);

 private:
  struct Impl;
  RaftDir* dir_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raftstore
