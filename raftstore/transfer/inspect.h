// InspectStream: what an export stream holds, read without importing it (as etcd's `snapshot
// status` and Consul's `snapshot inspect`). The engine of `metactl inspect` (docs/metactl.md),
// for an export file, stdin, or the metadata of a backup (raftstore/backup/block_reader.h).
//
// Contract: a pure function of the stream. It reads through the one export-stream reader
// (raftstore/export_format/export_stream.h), so every line is decoded and checked exactly as
// import checks it, and any error of the reader is returned as is ("line N: ..."), except one:
// a footer that does not match the lines before it is not an error here but the summary's
// footer state kMismatch, with both footers, because showing it is the point of inspecting.
// A stream without a footer is accepted (kAbsent): databend's exports have none.
//
// Memory: one line at a time, plus the summary. The summary is bounded by the number of record
// kinds, of Sequences records, of Nodes records (a cluster has a handful) and of distinct key
// prefixes, the last capped at InspectStream's max_prefixes (kMaxPrefixes): the keys of
// prefixes first seen after the table is full are counted together in `other_prefixes`.
#pragma once

#include <array>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/export_format/record.h"

namespace raftstore::transfer {

inline constexpr size_t kInspectTopPrefixes = 20;
inline constexpr size_t kMaxPrefixes = 100'000;

// The prefix a key is counted under: the key up to and including its second '/'
// ("__fd_database/tenant1/db1" -> "__fd_database/tenant1/"); a key with one '/' up to and
// including it ("b/bytes" -> "b/"); a key without '/' is its own prefix.
std::string_view KeyPrefix(std::string_view key);

struct PrefixStats {
  std::string prefix;
  uint64_t keys = 0;
  uint64_t value_bytes = 0;  // bytes of the keys' values (SeqV data), keys themselves not counted
  bool operator==(const PrefixStats&) const = default;
};

// RecordKindName of the record kind at `index` of RecordBody (index < its variant size).
const char* RecordKindNameAt(size_t index);

enum class FooterState { kVerified, kAbsent, kMismatch };
const char* FooterStateName(FooterState s);  // "verified", "absent", "mismatch"

struct InspectSummary {
  std::string version;  // the header's, e.g. "V004"
  uint64_t records = 0;  // lines before the footer, header included (what the footer counts)
  // Records by kind, indexed by RecordBody::index() (name: RecordKindName); the footer is not
  // a record and is never counted.
  std::array<uint64_t, std::variant_size_v<RecordBody>> records_per_kind{};

  FooterState footer = FooterState::kAbsent;
  FooterRec footer_read;      // kVerified, kMismatch: the footer line as written
  FooterRec footer_computed;  // kVerified, kMismatch: the lines before it, counted and hashed

  std::optional<uint64_t> node_id;  // NodeId record (null in it, or none: nullopt)
  std::optional<Vote> vote;
  std::optional<LogId> committed, purged, last_applied;
  std::optional<uint64_t> first_log_index, last_log_index;  // of the LogEntry records
  std::optional<StoredMembership> membership;  // the LastMembership record
  std::vector<NodeRec> nodes;                  // Nodes records, in stream order

  uint64_t keys = 0;           // GenericKV records
  uint64_t value_bytes = 0;    // sum of their values' sizes
  uint64_t keys_with_ttl = 0;  // keys whose meta has an expire_at
  std::optional<uint64_t> min_key_seq, max_key_seq;  // over the keys' seqs
  std::map<std::string, uint64_t> sequences;          // Sequences records: name -> value

  uint64_t prefixes = 0;  // distinct prefixes counted in the table (at most max_prefixes)
  PrefixStats other_prefixes;  // keys of prefixes that did not fit in the table (prefix "")
  // The kInspectTopPrefixes largest prefixes, by keys and by value bytes (largest first; ties
  // by prefix, ascending).
  std::vector<PrefixStats> top_by_keys, top_by_value_bytes;
};

// Reads `in` to its end. Errors: the reader's (a malformed line, a line after the footer, an
// empty stream, a read error); the footer's mismatch is in the summary instead (see above).
// `max_prefixes` caps the prefix table (tests use a small one).
Result<InspectSummary> InspectStream(std::istream& in, size_t max_prefixes = kMaxPrefixes);

}  // namespace raftstore::transfer
