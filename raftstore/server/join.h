// metasrv --join: how a node on an empty raft dir becomes a member of a running cluster, through
// the members' client API (the client library, raftstore/client).
//
//   1. LearnPeers (before raft starts): find a join address that answers and knows a leader, and
//      hand the members' raft addresses to the node as hints: it cannot answer the leader's
//      appends before it has replayed their Nodes records.
//   2. Join (once raft and the servers are up): AddMember as a learner, wait until the applied
//      index reaches the leader's commit index at the time of asking (log replay or snapshot),
//      then AddMember as a voter.
// Both retry while the cluster has no leader, is busy with another change or cannot be reached,
// until their timeout; an AddMember refused because the node already has the role is success, so
// a node restarted half-way resumes. Errors start with "cannot join:" and say what to check.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/node/raft_node.h"

namespace raftstore::server {

// --join is for a node that is not (yet) a voter: a dir with no membership (fresh, or a join cut
// short before the first append), or one where this node is still a learner (a join cut short
// before the promotion: Join resumes it). A dir whose membership holds this node as a voter
// (bootstrapped with --single, joined earlier, seeded by import) or does not hold it at all
// (another cluster's node) is refused (InvalidArgument saying what to do): --join would
// otherwise be ignored and a stray cluster started.
Status CheckJoinAllowed(node::RaftNode* node, const std::string& raft_dir);

Status LearnPeers(node::RaftNode* node, const std::vector<std::string>& join, std::chrono::milliseconds timeout);

Status Join(node::RaftNode* node, const std::vector<std::string>& join, std::chrono::milliseconds timeout);

}  // namespace raftstore::server
