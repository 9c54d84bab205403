// Mapping between the raft core's entries and the raft dir's log entries.
//
// raft::Entry{term, index, leader_node_id}  <->  LogEntry.log_id{leader_id{term, node_id}, index}
// kBlank <-> "Blank"; kMembership <-> {"Membership": {configs, nodes = voters + learners}};
// kNormal <-> {"Normal": body}, where Entry.data holds the body's JSON text
// ({"time_ms":..,"cmd":..}): the core treats it as opaque bytes.
#pragma once

#include <string>

#include "raftstore/common/status.h"
#include "raftstore/raft/types.h"
#include "raftstore/types/log_entry.h"

namespace raftstore::node {

LogEntry ToLogEntry(const raft::Entry& e, const NormalPayload* decoded = nullptr);
Result<LogEntry> ToLogEntryChecked(const raft::Entry& e);
raft::Entry ToRaftEntry(const LogEntry& e);

Membership ToMembership(const raft::MembershipConfig& c);
raft::MembershipConfig ToMembershipConfig(const Membership& m);

// The JSON text of a Normal payload's body, as carried in raft::Entry::data.
std::string EncodeNormal(const NormalPayload& p);
Result<NormalPayload> DecodeNormal(const std::string& data);

}  // namespace raftstore::node
