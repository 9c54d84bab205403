// Typed values for every kind of export line (DESIGN.md "Export line format").
//
// A Record is one line: its tree ("header", "raft_log", "state_machine/0", "footer") and its
// body. Older line kinds (V002/V003 RaftStateKV, Logs, LogMeta) decode into the same bodies as
// their V004 counterparts, so everything downstream sees V004 values only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "raftstore/model/log_entry.h"
#include "raftstore/model/kv.h"
#include "raftstore/model/membership.h"
#include "raftstore/model/node.h"

namespace raftstore {

struct HeaderRec { std::string version; bool operator==(const HeaderRec&) const = default; };
struct NodeIdRec { std::optional<uint64_t> node_id; bool operator==(const NodeIdRec&) const = default; };
struct VoteRec { std::optional<Vote> vote; bool operator==(const VoteRec&) const = default; };
struct CommittedRec { std::optional<LogId> log_id; bool operator==(const CommittedRec&) const = default; };
struct PurgedRec { std::optional<LogId> log_id; bool operator==(const PurgedRec&) const = default; };
struct LogEntryRec { LogEntry entry; bool operator==(const LogEntryRec&) const = default; };
struct SequenceRec { std::string name; uint64_t value = 0; bool operator==(const SequenceRec&) const = default; };
struct LastAppliedRec { std::optional<LogId> log_id; bool operator==(const LastAppliedRec&) const = default; };
struct LastMembershipRec { StoredMembership membership; bool operator==(const LastMembershipRec&) const = default; };
struct NodeRec { uint64_t node_id = 0; Node node; bool operator==(const NodeRec&) const = default; };
struct ExpireRec { ExpireKey key; ExpireValue value; bool operator==(const ExpireRec&) const = default; };
struct KvRec { std::string key; SeqV value; bool operator==(const KvRec&) const = default; };
// This project's integrity footer: records = lines before it (header included),
// sha256 = hex SHA-256 of every byte before it (newlines included).
struct FooterRec { uint64_t records = 0; std::string sha256; bool operator==(const FooterRec&) const = default; };
// A V002 record that carries nothing V004 keeps (StateMachineMeta "Initialized"); the
// importer reports it rather than dropping it unseen.
struct ObsoleteRec { std::string what; bool operator==(const ObsoleteRec&) const = default; };

using RecordBody = std::variant<HeaderRec, NodeIdRec, VoteRec, CommittedRec, PurgedRec, LogEntryRec,
                                SequenceRec, LastAppliedRec, LastMembershipRec, NodeRec, ExpireRec,
                                KvRec, FooterRec, ObsoleteRec>;

inline constexpr const char* kTreeHeader = "header";
inline constexpr const char* kTreeRaftLog = "raft_log";
inline constexpr const char* kTreeStateMachine = "state_machine/0";
inline constexpr const char* kTreeFooter = "footer";

struct Record {
  std::string tree;
  RecordBody body;
  bool operator==(const Record&) const = default;
};

// Short name of a record's kind for messages ("LogEntry", "GenericKV", ...).
const char* RecordKindName(const RecordBody& body);

// The export format this project writes, and the ones it reads.
inline constexpr const char* kCurrentVersion = "V004";
bool IsSupportedVersion(const std::string& version);  // V002, V003, V004
inline constexpr const char* kSupportedVersionsText = "V002, V003 and V004";

}  // namespace raftstore
