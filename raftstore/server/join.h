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

Status LearnPeers(node::RaftNode* node, const std::vector<std::string>& join, std::chrono::milliseconds timeout);

Status Join(node::RaftNode* node, const std::vector<std::string>& join, std::chrono::milliseconds timeout);

}  // namespace raftstore::server
