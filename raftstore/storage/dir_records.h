// Typed access to the single records of a raft dir: the node id, the state machine's
// LastApplied and LastMembership, the Nodes records, and the writes that set up a new cluster.
// Reads take a view (null: the latest state).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/model/log_id.h"
#include "raftstore/model/membership.h"
#include "raftstore/model/node.h"

namespace raftstore {

Result<std::optional<uint64_t>> ReadNodeId(const RaftDir& dir);
Result<std::optional<LogId>> ReadLastApplied(const RaftDir& dir, const ReadView* view = nullptr);
Result<std::optional<StoredMembership>> ReadLastMembership(const RaftDir& dir, const ReadView* view = nullptr);
Result<std::optional<Node>> ReadNode(const RaftDir& dir, uint64_t node_id, const ReadView* view = nullptr);

// Records `node_id` as the dir's node id (synced when `sync`).
Status WriteNodeId(RaftDir* dir, uint64_t node_id, bool sync);

// Makes an empty dir a one-node cluster of `node_id`: its node id and a membership of that
// node alone, in one synced write.
Status BootstrapOneNodeCluster(RaftDir* dir, uint64_t node_id);

// Makes `dir` (an import's staging dir, whose state machine is at `applied`) seed a new
// cluster: the Nodes records become exactly `nodes`, LastMembership their ids as voters, the
// log is emptied (Purged = Committed = applied) and the vote is `vote`. One unsynced write
// (the staging dir is synced when it is closed).
struct SeedNode {
  uint64_t id = 0;
  Node node;
};
Status SeedCluster(RaftDir* dir, const std::vector<SeedNode>& nodes, const std::optional<LogId>& applied,
                   const Vote& vote);

}  // namespace raftstore
