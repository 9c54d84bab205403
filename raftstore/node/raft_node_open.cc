// RaftNode's start: opening the raft dir, finishing an interrupted snapshot install, checking
// the node id and membership, bootstrapping or joining, and creating the raft core.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "raftstore/node/raft_node_internal.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/snapshot_store.h"

namespace raftstore::node {

Result<std::unique_ptr<RaftNode>> RaftNode::Open(const NodeOptions& options) {
  if (options.id == 0) return Status::InvalidArgument("--id must be 1 or more");
  std::unique_ptr<RaftNode> n(new RaftNode(options));
  std::error_code ec;
  const bool fresh = !std::filesystem::exists(options.raft_dir, ec) || std::filesystem::is_empty(options.raft_dir, ec);
  if (options.single && options.join) return Status::InvalidArgument("--single and --join exclude each other");
  if (fresh && !options.single && !options.join) {
    return Status::InvalidArgument("raft dir " + options.raft_dir +
                                   " is empty: start with --single to bootstrap a one-node cluster, or seed it "
                                   "with `metactl import --id N --initial-cluster ...`");
  }
  RaftDirOptions ro;
  ro.create_if_missing = fresh;
  auto dir = RaftDir::Open(options.raft_dir, ro);
  if (!dir.ok()) return dir.status();
  n->dir_ = std::move(dir).value();

  // Before anything reads the dir (the membership check below included): an install cut
  // short by a crash is finished first, since its state machine may be half copied.
  RS_ASSIGN_OR_RETURN(std::optional<LogId> recovered, RecoverInterruptedInstall(n->dir_.get()));
  if (recovered) {
    spdlog::info("node {}: finished the snapshot install (index {}) a crash had interrupted", options.id,
                 recovered->index);
  }

  RS_ASSIGN_OR_RETURN(std::optional<uint64_t> stored_id, ReadNodeId(*n->dir_));
  if (stored_id && *stored_id != options.id) {
    return Status::InvalidArgument("raft dir " + options.raft_dir + " belongs to node " + std::to_string(*stored_id) +
                                   ", not --id " + std::to_string(options.id));
  }
  RS_ASSIGN_OR_RETURN(std::optional<StoredMembership> membership, ReadLastMembership(*n->dir_));
  if (!membership && options.join) {
    // Joining: no configuration until the leader's appends bring one (the core accepts
    // appends from a leader while this node is in no configuration; it never campaigns).
    if (!stored_id) RS_RETURN_IF_ERROR(WriteNodeId(n->dir_.get(), options.id, /*sync=*/true));
  } else if (!membership) {
    if (!options.single) {
      return Status::InvalidArgument("raft dir " + options.raft_dir +
                                     " has no cluster membership: start with --single to bootstrap a one-node "
                                     "cluster, or seed it with `metactl import --initial-cluster`");
    }
    RS_RETURN_IF_ERROR(n->Bootstrap());
  } else if (!stored_id) {
    RS_RETURN_IF_ERROR(WriteNodeId(n->dir_.get(), options.id, /*sync=*/true));
  }

  RS_ASSIGN_OR_RETURN(n->store_, RaftLogStore::Open(n->dir_.get()));
  n->sm_ = std::make_unique<StateMachine>(n->dir_.get());
  RS_ASSIGN_OR_RETURN(std::optional<LogId> applied, n->sm_->LastApplied());
  n->applied_ = applied ? applied->index : 0;
  n->hub_.ResetHistory(n->applied_);  // a watch resumes here only from this index on

  raft::Config c;
  c.id = options.id;
  c.storage = n->store_.get();
  c.election_tick = options.election_ticks;
  c.heartbeat_tick = 1;
  c.applied = n->applied_;
  c.seed = options.seed ? options.seed
                        : static_cast<uint64_t>(Clock::now().time_since_epoch().count()) ^ (options.id << 32);
  auto raw = raft::RawNode::Create(c);
  if (!raw.ok()) return raw.status().WithContext("start raft for " + options.raft_dir);
  n->raw_ = std::move(raw).value();
  n->UpdateStatus();
  return n;
}

Status RaftNode::Bootstrap() {
  spdlog::info("bootstrapping a one-node cluster of node {} in {}", options_.id, options_.raft_dir);
  return BootstrapOneNodeCluster(dir_.get(), options_.id);
}

}  // namespace raftstore::node
