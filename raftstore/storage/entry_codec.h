// Raft log entries in their three forms, and the one mapping between each pair:
//  - raft::Entry, the core's (raftstore/raft/types.h): a Normal entry's data is the JSON text of
//    {"time_ms":..,"cmd":..}, opaque to the core;
//  - the stored and wire form, metasrv.raft.Entry (proto/raft.proto): the raft dir's log values
//    (raftdir-v2) and the peer transport's entries are the same message, so an entry is encoded
//    once when appended and its data is never re-encoded on the write path;
//  - LogEntry (raftstore/model/log_entry.h), the data model's, which the export format prints.
//
// raft::Entry{term, index, leader_node_id}  <->  LogEntry.log_id{leader_id{term, node_id}, index}
// kBlank <-> "Blank"; kMembership <-> {"Membership": {configs, nodes = voters + learners}};
// kNormal <-> {"Normal": body}, where Entry.data holds the body's JSON text.
#pragma once

#include <string>
#include <string_view>

#include "raft.pb.h"
#include "raftstore/common/status.h"
#include "raftstore/raft/types.h"
#include "raftstore/model/log_entry.h"

namespace raftstore {

// raft::Entry <-> proto. EntryFromProto refuses an unknown entry type (a newer peer's or
// writer's); `where` names the source in that message.
void EntryToProto(const raft::Entry& e, metasrv::raft::Entry* out);
Result<raft::Entry> EntryFromProto(const metasrv::raft::Entry& pe, const std::string& where);
void MembershipToProto(const raft::MembershipConfig& c, metasrv::raft::MembershipConfig* out);
raft::MembershipConfig MembershipFromProto(const metasrv::raft::MembershipConfig& c);

// The stored form of one log entry (a serialized metasrv.raft.Entry) and back. Decoding checks
// that the entry is the one at `index`; Corruption naming `where` otherwise.
std::string EncodeStoredEntry(const raft::Entry& e);
Result<raft::Entry> DecodeStoredEntry(std::string_view bytes, uint64_t index, const std::string& where);

// LogEntry <-> stored form directly, keeping a membership's configs exactly as given (the core's
// MembershipConfig holds sets): import and export round-trip every valid line byte for byte.
std::string EncodeStoredLogEntry(const LogEntry& e);
Result<LogEntry> DecodeStoredLogEntry(std::string_view bytes, uint64_t index, const std::string& where);

// raft::Entry <-> LogEntry. ToLogEntryChecked fails when a Normal entry's data is not a valid
// body; ToLogEntry uses `decoded` (the already decoded body) when given.
LogEntry ToLogEntry(const raft::Entry& e, const NormalPayload* decoded = nullptr);
Result<LogEntry> ToLogEntryChecked(const raft::Entry& e);
raft::Entry ToRaftEntry(const LogEntry& e);

Membership ToMembership(const raft::MembershipConfig& c);
raft::MembershipConfig ToMembershipConfig(const Membership& m);

// The JSON text of a Normal payload's body, as carried in raft::Entry::data. Both try the
// DOM-free fast path first (fast_payload_codec.h: a client's UpsertKV) and fall back to the
// DOM, which alone decides errors. EncodeNormal throws nlohmann's type_error for a string that
// is not UTF-8 (the fast path declines such a key, so this is unchanged).
std::string EncodeNormal(const NormalPayload& p);
Result<NormalPayload> DecodeNormal(const std::string& data);
// The DOM path alone (the differential test compares the two).
std::string EncodeNormalWithDom(const NormalPayload& p);
Result<NormalPayload> DecodeNormalWithDom(const std::string& data);

}  // namespace raftstore
