// The consistency checks of an import: what must hold across the lines of a stream for the
// raft dir it makes to be one the server can run on (the per-line checks are the stream
// reader's and the codec's). Called by the importer (importer.cc) for every record, before the
// record is written into the staging dir, and once at the end of the stream.
//
// Refused (Corruption; the message names the line or lines):
//   - a singleton record (NodeId, Vote, Committed, Purged, LastApplied, LastMembership) given
//     twice: "line 9: Vote repeats (first at line 3)"
//   - a GenericKV key, Nodes id, Expire index key or Sequences name that appears twice:
//       "line 12 and line 40: key \"a/b\" appears twice"
//   - a log index that repeats or goes backwards (log entries must ascend)
//   - the generic-kv sequence below the largest key seq seen (a server would hand out a seq
//     that a key already has), unless `repair_seq` (the sequence becomes that seq, with a
//     warning) or `bump_seq` (the caller raises it above every seq anyway, with a warning)
//   - an Expire index entry whose key is absent or holds another seq than the entry's
//   - LastApplied beyond the last log entry when the log is not purged up to it
//   - a LastMembership that names a node without a Nodes record
//
// The expire index is checked against the keys with a multiset digest first: the (key, seq)
// pairs the Expire entries name and those of the keys with an expire_at are summed as
// SHA-256-based 128-bit values while the stream is read. Equal sums mean every entry names a
// key that holds its seq (a false match has probability ~2^-128); then nothing is read back.
// Otherwise (a key with expire_at but no entry is allowed, or the stream is broken) every entry
// is looked up among the written keys, which finds the exact entry and line to name.
//
// How duplicates are found, exactly and in constant memory: a V004 export lists each kind in
// ascending order (keys by bytes, node ids, expire keys by (time_ms, seq), sequence names), so
// a duplicate is the record just before it: each record is compared with the previous one of
// its kind, and both lines are named. When a kind is not in ascending order (V002/V003 streams
// need not be; or a hand-edited stream), every later record of that kind is looked up among
// the records already written (WrittenRecords::Holds): still exact, but only the later line
// is known, and the message says so. The end checks read the written records too (the expire
// index and the keys it names, the nodes), so memory does not grow with the stream.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/export_format/record.h"

namespace raftstore::transfer {

// What the checks read back from the records already written (the import's staging dir).
// The caller makes sure every record given to ImportChecks::Observe() before is visible.
class WrittenRecords {
 public:
  virtual ~WrittenRecords() = default;
  // Whether a record with the identity of `record` was written: the same GenericKV key, Nodes
  // id, Expire index key or Sequences name (false for other kinds).
  virtual Result<bool> Holds(const Record& record) = 0;
  // The stored value of a GenericKV key.
  virtual Result<std::optional<SeqV>> ReadKv(const std::string& key) = 0;
  // Every Expire index entry, in (time_ms, seq) order.
  virtual Status ForEachExpire(const std::function<Status(const ExpireRec&)>& visit) = 0;
};

struct ImportCheckOptions {
  bool repair_seq = false;  // --repair-seq: a low sequence becomes the largest seq seen
  bool bump_seq = false;    // --bump-seq N: the caller sets the sequence above every seq
};

class ImportChecks {
 public:
  ImportChecks(ImportCheckOptions options, WrittenRecords* written) : options_(options), written_(written) {}

  // Takes record `record` of line `line`, before it is written.
  Status Observe(const Record& record, uint64_t line);

  // The checks that need the whole stream; call once, after every record was written. On
  // success, the value the generic-kv sequence must be set to, when --repair-seq or
  // --bump-seq replaced a low one (nullopt: leave it as the stream gave it).
  Result<std::optional<uint64_t>> Finish();

  // The largest GenericKV seq seen (0 when none) and the stream's generic-kv sequence.
  uint64_t max_key_seq() const { return max_seq_; }
  std::optional<uint64_t> sequence() const { return sequence_; }
  // The stream's LastApplied (nullopt when absent or null) and its last log index (0: none).
  const std::optional<LogId>& last_applied() const { return last_applied_; }
  uint64_t last_log_index() const { return last_log_index_; }

  // A key as the messages quote it (JSON string syntax, so control bytes are visible).
  static std::string Quote(const std::string& key);

 private:
  // The order of one kind's records seen so far (see the header comment).
  template <typename Id>
  struct Order {
    std::optional<Id> prev;
    uint64_t prev_line = 0;
    bool ascending = true;
  };
  // `what()` names the record in a message; called only when there is one to write.
  template <typename Id, typename Describe>
  Status CheckOnce(Order<Id>* order, const Id& id, const Record& record, uint64_t line, const Describe& what,
                   const char* plural);

  Status CheckSingleton(const Record& record, uint64_t line);
  Status CheckLogIndex(uint64_t index, uint64_t line);
  Status CheckExpireIndex();
  Status CheckLastApplied() const;
  Status CheckMembership();
  Result<std::optional<uint64_t>> CheckSequence() const;

  ImportCheckOptions options_;
  WrittenRecords* written_;

  Order<std::string> keys_;
  Order<uint64_t> nodes_;
  Order<std::pair<uint64_t, uint64_t>> expires_;
  Order<std::string> sequences_;

  // An order-free digest of a multiset of (key, seq) pairs (the header comment's expire check).
  class KeySeqSum {
   public:
    void Add(const std::string& key, uint64_t seq);
    bool operator==(const KeySeqSum& other) const = default;

   private:
    uint64_t count_ = 0;
    uint64_t sum_[2] = {0, 0};
  };
  KeySeqSum expire_pairs_;  // named by the Expire entries
  KeySeqSum ttl_pairs_;     // of the keys with an expire_at

  // The lines of the Expire records, as runs of consecutive lines: one run in a V004 export.
  // Valid while the expire records ascend: the n-th entry of the written index is then the
  // n-th Expire line.
  std::vector<std::pair<uint64_t, uint64_t>> expire_runs_;  // (first line, count)

  uint64_t max_seq_ = 0;
  uint64_t max_seq_line_ = 0;
  std::string max_seq_key_;
  std::optional<uint64_t> sequence_;
  uint64_t sequence_line_ = 0;

  std::map<size_t, uint64_t> singleton_lines_;  // RecordBody index -> line of its first record

  uint64_t log_entries_ = 0;
  uint64_t last_log_index_ = 0;
  uint64_t last_log_line_ = 0;
  std::optional<LogId> purged_;
  std::optional<LogId> last_applied_;
  uint64_t last_applied_line_ = 0;
  std::optional<Membership> membership_;
  uint64_t membership_line_ = 0;
};

}  // namespace raftstore::transfer
