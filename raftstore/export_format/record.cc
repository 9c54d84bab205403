#include "raftstore/export_format/record.h"

namespace raftstore {

const char* RecordKindName(const RecordBody& body) {
  struct V {
    const char* operator()(const HeaderRec&) const { return "DataHeader"; }
    const char* operator()(const NodeIdRec&) const { return "NodeId"; }
    const char* operator()(const VoteRec&) const { return "Vote"; }
    const char* operator()(const CommittedRec&) const { return "Committed"; }
    const char* operator()(const PurgedRec&) const { return "Purged"; }
    const char* operator()(const LogEntryRec&) const { return "LogEntry"; }
    const char* operator()(const SequenceRec&) const { return "Sequences"; }
    const char* operator()(const LastAppliedRec&) const { return "StateMachineMeta LastApplied"; }
    const char* operator()(const LastMembershipRec&) const { return "StateMachineMeta LastMembership"; }
    const char* operator()(const NodeRec&) const { return "Nodes"; }
    const char* operator()(const ExpireRec&) const { return "Expire"; }
    const char* operator()(const KvRec&) const { return "GenericKV"; }
    const char* operator()(const FooterRec&) const { return "Footer"; }
    const char* operator()(const ObsoleteRec&) const { return "obsolete record"; }
  };
  return std::visit(V{}, body);
}

bool IsSupportedVersion(const std::string& version) {
  return version == "V002" || version == "V003" || version == "V004";
}

}  // namespace raftstore
