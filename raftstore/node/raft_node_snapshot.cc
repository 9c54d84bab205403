// RaftNode's snapshot pieces (Raft paper §7): log purging, the receiving slot, and install.
// The leader's streaming is SnapshotSender; the on-disk protocol is snapshot_store.h.
#include <filesystem>

#include <spdlog/spdlog.h>

#include "raftstore/common/failpoint.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/storage/snapshot_store.h"

namespace raftstore::node {

using Clock = std::chrono::steady_clock;

std::shared_ptr<const raftstore::ReadView> RaftNode::ReadView() const {
  std::shared_lock<std::shared_mutex> lock(state_mu_);
  return dir_->NewReadView();
}

Result<std::string> RaftNode::BeginIncomingSnapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
  if (incoming_ != Incoming::kNone) {
    return Status::Busy("node " + std::to_string(options_.id) +
                        " is already receiving or installing a snapshot; the leader retries later");
  }
  incoming_ = Incoming::kReceiving;
  return StagedSnapshotPath(dir_->path());
}

void RaftNode::AbandonIncomingSnapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  if (incoming_ == Incoming::kReceiving) FreeIncomingSlot();
}

void RaftNode::FreeIncomingSlot() {
  std::error_code ec;
  std::filesystem::remove(StagedSnapshotPath(dir_->path()), ec);
  incoming_ = Incoming::kNone;
}

Status RaftNode::DeliverIncomingSnapshot(raft::Message m) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (incoming_ != Incoming::kReceiving || !m.snapshot) {
      return Status::Internal("DeliverIncomingSnapshot without a snapshot being received");
    }
    if (stopping_) return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
    incoming_ = Incoming::kStaged;
    incoming_meta_ = *m.snapshot;
    delivered_.push_back(std::move(m));
  }
  cv_.notify_one();
  return Status::OK();
}

bool RaftNode::ClaimStagedSnapshot(const raft::Message& m) {
  std::lock_guard<std::mutex> lock(mu_);
  return incoming_ == Incoming::kStaged && m.snapshot && m.snapshot->index == incoming_meta_.index &&
         m.snapshot->term == incoming_meta_.term;
}

void RaftNode::StepDelivered(const raft::Message& m) {
  const bool snapshot = m.type == raft::MessageType::kSnapshot;
  if (snapshot && !ClaimStagedSnapshot(m)) {
    // Only InstallSnapshot delivers these, after staging; anything else has no bytes behind it.
    spdlog::warn("node {}: ignored {}: no such snapshot is staged", options_.id, raft::Describe(m));
    return;
  }
  raftstore::Status st = raw_->Step(m);
  if (!st.ok()) spdlog::debug("node {}: ignored {}: {}", options_.id, raft::Describe(m), st.message());
  if (!snapshot) return;
  const auto& pending = raw_->raft().log().UnstableSnapshot();
  const bool accepted = pending && pending->index == m.snapshot->index && pending->term == m.snapshot->term;
  std::lock_guard<std::mutex> lock(mu_);
  if (accepted) {
    incoming_ = Incoming::kInstalling;  // the next Ready carries it (ready.h step 1)
  } else {
    spdlog::info("node {}: snapshot {} (term {}) not needed: the log already covers it", options_.id,
                 m.snapshot->index, m.snapshot->term);
    FreeIncomingSlot();
  }
}

Status RaftNode::InstallSnapshot(const raft::SnapshotMeta& meta) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (incoming_ != Incoming::kInstalling || incoming_meta_.index != meta.index || incoming_meta_.term != meta.term) {
      return Status::Internal("the raft core asked to install snapshot " + std::to_string(meta.index) +
                              ", which is not the staged one");
    }
  }
  const auto started = Clock::now();
  LogId last;
  {
    // Readers on other threads must not see the state machine half replaced.
    std::unique_lock<std::shared_mutex> exclusive(state_mu_);
    RS_FAILPOINT("snapshot-install");
    RS_ASSIGN_OR_RETURN(last, InstallStagedSnapshot(dir_.get(), StagedSnapshotPath(dir_->path()), meta));
  }
  store_->ResetToSnapshot(last);
  applied_ = last.index;
  // Writes this node proposed as a leader at indexes the snapshot covers are never applied
  // here: their outcome is unknown to this node.
  for (auto it = write_waiters_.begin(); it != write_waiters_.end() && it->first <= last.index;) {
    it->second.done->set_value(Status::OutcomeUnknown(
        "leadership changed and this node installed a snapshot; the write's outcome is unknown: read it back"));
    it = write_waiters_.erase(it);
  }
  ++snapshots_installed_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming_ = Incoming::kNone;
  }
  if (transport_) transport_->InvalidateAddresses();  // Nodes came with the snapshot
  hub_.MissAll(last.index);
  spdlog::info("node {}: installed snapshot {} (term {}, {}) in {} ms", options_.id, meta.index, meta.term,
               meta.membership.ToString(),
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
  return Status::OK();
}

Status RaftNode::MaybeCompact() {
  const uint64_t keep = options_.max_applied_log_to_keep;
  if (applied_ < store_->purged_index() + options_.snapshot_logs_since_last + keep || applied_ <= keep) {
    return Status::OK();
  }
  return store_->Compact(applied_ - keep);
}

}  // namespace raftstore::node
