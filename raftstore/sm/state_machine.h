// The state machine apply layer: applies committed raft log entries to the state machine
// stored in a raft dir (through raftstore/storage/sm_store.h) and answers reads.
//
// Contract:
//  - Deterministic: applying the same entries in the same order to equal dirs gives
//    byte-identical state on every node. Time comes only from the entry's `time_ms` (a key whose
//    expiry in ms is <= entry.time_ms counts as absent for every check and read during apply);
//    the clock is never read. Iteration is always in key order.
//  - Atomic per entry: all writes of one entry, LastApplied included, go in one
//    storage batch (SmBatch). An entry that is refused (error Status) writes nothing.
//    ApplyBatch() puts several consecutive entries in ONE storage batch (the node applies a
//    Ready's committed entries so): each entry sees the writes of those before it, and the
//    batch is written whole or, if any entry is refused, not at all.
//  - Entries must be applied in order: when LastApplied is set, an entry whose index is not
//    exactly last_applied.index + 1 is refused with Status::InvalidArgument naming both.
//  - Apply() calls must be serialized by the caller (one applier). Reads (Get, List,
//    LastApplied, ExpiredKeys) may run concurrently with Apply() and see whole entries only.
//
// Storage decisions (databend-compatible where databend defines it):
//  - Every KV write (Update, AsIs, txn Put, FetchIncreaseU64, PutSequential) takes the next
//    value of the `generic-kv` sequence (stored value = last seq handed out; the first is 1).
//    Delete does not take a seq.
//  - KvMeta written by this layer holds only `expire_at` (never proposed_at_ms). value_meta
//    null -> meta {} (no fields). expire_at is stored as given (seconds or ms, see kv.h); a
//    ttl becomes expire_at = entry.time_ms + ttl in ms form (ttl wins over expire_at), saturating
//    at 2^64-1 (never expires) rather than wrapping (ExpireMsAfter, kv.h). NOTE: a
//    ttl-derived value below kExpireAtMsThreshold would be read as seconds; real epoch times
//    (>= 2001) are always above it.
//  - An expiring key has one expire index record ExpireKey(expire_ms, seq) -> {seq:1, key}
//    (seq 1 as databend writes it). Overwriting or deleting a key removes its old index record.
//  - A stored key that has expired is invisible, but a Delete (or a write) of it removes the
//    stored record and its index record. Cleanup: ExpiredKeys() lists them; the server should
//    propose UpsertKV{key, seq: {"Exact":0}, value: "Delete"} for each — Exact(0) matches only
//    while the key is still absent/expired, so a key rewritten in the meantime is left alone.
//  - FetchIncreaseU64 and PutSequential counters are stored as decimal ASCII text (no sign,
//    no padding; what serde_json prints for a u64, so databend reads them too). An absent key
//    counts as 0. A value that is not such a number makes the op fail (error in its result,
//    nothing written) rather than the entry. Arithmetic saturates at 0 and 2^64-1. The
//    counter is written with meta {} (any expiry is dropped).
//  - PutSequential: key = prefix + the counter's current value zero-padded to 20 digits, then
//    the counter (a normal KV at `sequence_key`) becomes value + 1.
//  - SetFeature is not stored and changes nothing: it is reported in the result only. No
//    feature flag alters this implementation's behaviour; the command is applied so that logs
//    and exports from databend-meta that carry it import and replay.
//  - AddNode of an existing node without `overriding` leaves it and reports existed = true.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/model/log_entry.h"

namespace raftstore {

// The sequence every KV write takes its seq from (stored value = the last seq handed out).
inline constexpr char kKvSequence[] = "generic-kv";

// Result of an UpsertKV: the live value before and after (equal when nothing changed).
struct UpsertResult {
  bool matched = false;  // MatchSeq matched; false: nothing was changed
  std::optional<SeqV> prev;
  std::optional<SeqV> result;
  bool operator==(const UpsertResult&) const = default;
};

// One transaction op's response.
struct TxnOpResult {
  enum class Kind { kGet, kPut, kDelete, kDeleteByPrefix, kFetchIncreaseU64, kPutSequential };
  Kind kind = Kind::kGet;
  std::string key;  // the key (DeleteByPrefix: the prefix; PutSequential: the generated key)
  // Put/Delete/FetchIncreaseU64: false when match_seq did not match or (FetchIncreaseU64,
  // PutSequential) the counter was not a number; Delete: also false when the key was absent.
  bool success = true;
  // Get: the value; Put/Delete: the previous value (when prev_value was asked for);
  // FetchIncreaseU64: the value before.
  std::optional<SeqV> prev;
  // Put/PutSequential/FetchIncreaseU64: the value after (Put with a failed match_seq: the
  // unchanged value).
  std::optional<SeqV> current;
  uint64_t count = 0;   // DeleteByPrefix: live keys deleted
  uint64_t before = 0;  // FetchIncreaseU64: number before; PutSequential: the counter used
  uint64_t after = 0;   // FetchIncreaseU64: number after; PutSequential: the counter now
  std::string error;    // why success is false, when it is not just a mismatch
  bool operator==(const TxnOpResult&) const = default;
};

struct TxnResult {
  bool success = false;  // every condition held: if_then ran (else else_then ran)
  std::vector<TxnOpResult> responses;
  bool operator==(const TxnResult&) const = default;
};

struct AddNodeResult {
  uint64_t node_id = 0;
  bool existed = false;  // a node with that id was there before
  bool written = false;  // false: it existed and overriding was false, nothing changed
  std::optional<Node> prev;
  bool operator==(const AddNodeResult&) const = default;
};

struct RemoveNodeResult {
  uint64_t node_id = 0;
  std::optional<Node> prev;  // nullopt: there was no such node
  bool operator==(const RemoveNodeResult&) const = default;
};

struct SetFeatureResult {
  std::string feature;
  bool enable = false;
  bool operator==(const SetFeatureResult&) const = default;
};

// Blank entries: NoResult. Membership entries: the stored membership.
struct NoResult {
  bool operator==(const NoResult&) const = default;
};

// One key changed by an entry, for watchers: prev absent = created, current absent = deleted.
// (A removed key that had already expired reports its stored value as prev.)
struct KvChange {
  std::string key;
  std::optional<SeqV> prev;
  std::optional<SeqV> current;
  bool operator==(const KvChange&) const = default;
};

struct ApplyResult {
  LogId log_id;
  std::vector<KvChange> changes;  // every key write/delete of the entry, in the order made
  std::variant<NoResult, StoredMembership, UpsertResult, TxnResult, AddNodeResult, RemoveNodeResult,
               SetFeatureResult>
      detail;
};

class StateMachine {
 public:
  // `dir` must outlive the StateMachine.
  explicit StateMachine(RaftDir* dir) : dir_(dir) {}

  // Applies one committed entry atomically (with `sync`, the WAL is fsync()ed).
  Result<ApplyResult> Apply(const LogEntry& entry, bool sync);
  // Applies consecutive committed entries with one storage write (LastApplied: the last one);
  // the results are in entry order. On error (naming the entry) nothing of the batch is written.
  Result<std::vector<ApplyResult>> ApplyBatch(std::span<const LogEntry> entries, bool sync);

  // The value of `key` at time `now_ms` (an expiry <= now_ms is absent), read at `view`
  // (null: the latest state).
  Result<std::optional<SeqV>> Get(const std::string& key, uint64_t now_ms,
                                  const ReadView* view = nullptr) const;

  // Visits live keys starting with `prefix` in key order, at most `limit` of them (0: no
  // limit), until `visit` returns false. Reads at `view` (null: one iterator's view).
  Status List(const std::string& prefix, uint64_t now_ms, uint64_t limit,
              const std::function<bool(const std::string& key, const SeqV& value)>& visit,
              const ReadView* view = nullptr) const;

  Result<std::optional<LogId>> LastApplied() const;

  // Keys whose expiry is <= now_ms, in expiry order, at most `limit` (0: no limit).
  Result<std::vector<std::string>> ExpiredKeys(uint64_t now_ms, uint64_t limit) const;

 private:
  RaftDir* dir_;
};

}  // namespace raftstore
