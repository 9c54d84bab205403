// RaftNode's runtime: start and stop, the raft thread's Ready loop (persist, send, apply, serve
// reads), proposals and barriers, and status. Opening is raft_node_open.cc, leader chores
// raft_node_leader.cc, operator workflows raft_node_admin.cc, snapshots raft_node_snapshot.cc.
#include "raftstore/node/raft_node.h"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "raftstore/common/disk_space.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/node/raft_node_internal.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/snapshot_store.h"

namespace raftstore::node {

NodeClock* DefaultNodeClock() {
  static SystemClock clock;
  return &clock;
}

namespace {

const char* RoleName(raft::StateType s, bool learner) {
  if (learner) return "learner";
  switch (s) {
    case raft::StateType::kLeader: return "leader";
    case raft::StateType::kCandidate: return "candidate";
    case raft::StateType::kPreCandidate: return "pre-candidate";
    case raft::StateType::kFollower: return "follower";
  }
  return "follower";
}

}  // namespace

RaftNode::~RaftNode() { Stop(); }

Status RaftNode::Start() {
  TransportOptions to;
  to.self = options_.id;
  transport_ = std::make_unique<Transport>(
      to, [this](uint64_t id) { return PeerAddress(id); },
      [this](uint64_t id) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stopping_) return;
          unreachable_.insert(id);
        }
        cv_.notify_one();
      });
  snapshot_sender_ = std::make_unique<SnapshotSender>(dir_.get(), [this](uint64_t to, bool ok) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      snapshot_reports_.emplace_back(to, ok);
    }
    cv_.notify_one();
  });
  if (SoleVoter()) {
    // The raft thread's first request: it campaigns (and wins) before it waits for anything.
    std::lock_guard<std::mutex> lock(mu_);
    inbox_.push_front(Request{Request::Kind::kCall, "", nullptr, nullptr, [this] { raw_->Campaign(); }});
  }
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

Status RaftNode::Deliver(std::vector<raft::Message> messages) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
    if (delivered_.empty()) {
      delivered_ = std::move(messages);
    } else {
      for (auto& m : messages) delivered_.push_back(std::move(m));
    }
  }
  cv_.notify_one();
  return Status::OK();
}

std::optional<std::string> RaftNode::PeerAddress(uint64_t id) const {
  auto read = ReadNode(*dir_, id);
  if (!read.ok()) {
    spdlog::warn("node {}: reading the address of node {}: {}", options_.id, id, read.status().message());
    return std::nullopt;
  }
  const std::optional<Node>& n = *read;
  if (!n || n->endpoint.addr.empty() || n->endpoint.port == 0) {
    std::lock_guard<std::mutex> lock(hints_mu_);
    auto it = address_hints_.find(id);
    if (it != address_hints_.end()) return it->second;
    return std::nullopt;
  }
  return n->endpoint.addr + ":" + std::to_string(n->endpoint.port);
}

void RaftNode::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Senders read peer addresses and snapshots from the dir: stop them before closing it.
  if (transport_) transport_->Stop();
  if (snapshot_sender_) snapshot_sender_->Stop();
  if (dir_) {
    Status st = dir_->Close();
    if (!st.ok()) spdlog::error("closing {}: {}", options_.raft_dir, st.message());
  }
}

Status RaftNode::CheckFreeSpace() const {
  if (options_.min_free_bytes == 0) return Status::OK();
  std::lock_guard<std::mutex> lock(space_mu_);
  const auto now = Clock::now();
  if (space_checked_ && now - *space_checked_ < kFreeSpaceRecheck) return space_status_;
  space_checked_ = now;
  space_status_ = Status::OK();
  Result<uint64_t> available = AvailableSpace(options_.raft_dir);
  if (!available.ok() || *available >= options_.min_free_bytes) return space_status_;  // unknown: let the write try
  space_status_ = Status::NoSpace("node " + std::to_string(options_.id) + ": the filesystem of raft dir " + options_.raft_dir +
                         " has " + std::to_string(*available) + " bytes available, below --min-free-bytes " +
                         std::to_string(options_.min_free_bytes) +
                         ": writes are refused (reads go on) until space is freed there");
  return space_status_;
}

Result<ApplyResult> RaftNode::Propose(Cmd cmd, std::chrono::milliseconds timeout) {
  RS_RETURN_IF_ERROR(CheckFreeSpace());
  NormalPayload p{NowMs(), std::move(cmd)};
  auto done = std::make_shared<std::promise<Result<ApplyResult>>>();
  auto fut = done->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("node is shutting down");
    inbox_.push_back(Request{Request::Kind::kPropose, EncodeNormal(p), done, nullptr, nullptr});
  }
  cv_.notify_one();
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return Status::OutcomeUnknown("timed out after " + std::to_string(timeout.count()) +
                                  " ms waiting for the write to commit; it may still be applied");
  }
  return fut.get();
}

Status RaftNode::Barrier(std::chrono::milliseconds timeout) {
  auto done = std::make_shared<std::promise<Status>>();
  auto fut = done->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("node is shutting down");
    inbox_.push_back(Request{Request::Kind::kRead, "", nullptr, done, nullptr});
  }
  cv_.notify_one();
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return Status::Unavailable("timed out after " + std::to_string(timeout.count()) +
                               " ms waiting for the leader to confirm a read");
  }
  return fut.get();
}

NodeStatusView RaftNode::GetStatus() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

void RaftNode::Run() {
  const auto tick = std::chrono::milliseconds(options_.tick_ms);
  auto next_tick = Clock::now() + tick;
  for (;;) {
    std::deque<Request> requests;
    std::vector<raft::Message> delivered;
    std::set<uint64_t> unreachable;
    std::vector<std::pair<uint64_t, bool>> snapshot_reports;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next_tick, [&] {
        return stopping_ || !inbox_.empty() || !delivered_.empty() || !unreachable_.empty() ||
               !snapshot_reports_.empty();
      });
      if (stopping_) break;
      requests.swap(inbox_);
      delivered.swap(delivered_);
      unreachable.swap(unreachable_);
      snapshot_reports.swap(snapshot_reports_);
    }
    const auto now = Clock::now();
    if (now >= next_tick && !clock_->ExternalTicks()) {
      OnTick();
      next_tick = std::max(next_tick + tick, now);
    }
    for (uint64_t id : unreachable) raw_->ReportUnreachable(id);
    for (const auto& [to, ok] : snapshot_reports) {
      if (ok) ++snapshots_sent_;
      raw_->ReportSnapshot(to, ok);
    }
    if (!snapshot_reports.empty()) UpdateStatus();  // the counter shows even if no Ready follows
    for (const raft::Message& m : delivered) StepDelivered(m);
    HandleRequests(std::move(requests));
    raftstore::Status st;
    while (st.ok() && raw_->HasReady()) st = HandleReady();
    if (!st.ok()) {
      // A storage failure: continuing could acknowledge what is not durable. Stop serving.
      spdlog::critical("node {} stops: {}", options_.id, st.message());
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      break;
    }
    ServeReads();
  }
  FailAll(Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down"));
}

void RaftNode::OnTick() {
  raw_->Tick();
  ResendReads(/*all=*/false);
  // Expired keys are cleaned up about once a second (in ticks, so a test clock drives it too).
  if (++ticks_since_cleanup_ >= std::max(1, 1000 / options_.tick_ms)) {
    ticks_since_cleanup_ = 0;
    if (leader_) ProposeExpiryCleanup();
  }
}

Status RaftNode::Tick(int n, std::chrono::milliseconds timeout) {
  if (!clock_->ExternalTicks()) {
    return Status::InvalidArgument("node " + std::to_string(options_.id) + " ticks on its own clock");
  }
  auto r = OnRaftThread<bool>(
      [this, n]() -> Result<bool> {
        for (int i = 0; i < n; ++i) OnTick();
        return true;
      },
      timeout);
  return r.ok() ? Status::OK() : r.status();
}

void RaftNode::HandleRequests(std::deque<Request> requests) {
  for (Request& r : requests) {
    if (r.kind == Request::Kind::kCall) {
      r.call();
    } else if (r.kind == Request::Kind::kPropose) {
      // A leader handing leadership over refuses too (the core would say Busy): nothing is
      // proposed, and the caller sends the request to the next leader (leader_route.h).
      if (!leader_ || raw_->raft().lead_transferee() != 0) {
        r.write_done->set_value(Status::NotLeader(NotLeaderMessage()));
        continue;
      }
      auto pos = raw_->Propose(std::move(r.data));
      if (!pos.ok()) {
        r.write_done->set_value(pos.status());
        continue;
      }
      write_waiters_[pos->index] = WriteWaiter{pos->term, r.write_done};
    } else {
      std::string ctx = std::to_string(options_.id) + "-" + std::to_string(next_read_ctx_++);
      auto [it, _] = read_waiters_.emplace(ctx, ReadWaiter{0, Clock::now(), r.read_done});
      SendRead(it->first, &it->second);  // with no leader known yet, it waits for one
    }
  }
}

Status RaftNode::HandleReady() {
  raft::Ready rd = raw_->GetReady();
  bool became_leader = false, new_leader = false;
  if (rd.soft_state) {
    const bool was_leader = leader_;
    new_leader = rd.soft_state->lead != 0 && rd.soft_state->lead != lead_;
    if (new_leader) ++counters_.leader_changes;
    lead_ = rd.soft_state->lead;
    leader_ = rd.soft_state->state == raft::StateType::kLeader;
    became_leader = leader_ && !was_leader;
    if (lead_ != 0) spdlog::info("node {}: leader is node {}", options_.id, lead_);
  }
  if (rd.snapshot) RS_RETURN_IF_ERROR(InstallSnapshot(*rd.snapshot));
  // A leader's appends go out before its own sync so that followers write in parallel (ready.h
  // step 3's exception); everything else only after it: a vote or an append ack must be
  // durable first.
  std::vector<raft::Message> after_sync;
  std::vector<raft::Message> before_sync;
  for (raft::Message& m : rd.messages) {
    (raw_->MaySendBeforeSync(rd, m) ? before_sync : after_sync).push_back(std::move(m));
  }
  std::vector<uint64_t> snapshot_failures;
  SendMessages(std::move(before_sync), &snapshot_failures);
  ++counters_.ready_batches;
  if (!rd.entries.empty()) {
    ++counters_.persist_batches;
    counters_.entries_persisted += rd.entries.size();
    if (leader_) counters_.proposals += rd.entries.size();  // a leader's new entries are its own
    counters_.ready_entries.Observe(static_cast<double>(rd.entries.size()));
  }
  const uint64_t syncs_before = store_->synced_writes();
  const auto persist_started = Clock::now();
  const bool leader_known = rd.hard_state && lead_ != 0 && rd.hard_state->vote == lead_;
  // The persist failpoints are for a Ready with entries: a test aims them at a write.
  if (!rd.entries.empty()) RS_FAILPOINT("persist-before-sync");
  RS_RETURN_IF_ERROR(store_->Persist(rd.entries, rd.hard_state, leader_known));
  if (store_->synced_writes() != syncs_before) {
    counters_.persist_seconds.Observe(
        std::chrono::duration<double>(Clock::now() - persist_started).count());
  }
  if (!rd.entries.empty()) RS_FAILPOINT("persist-after-sync");
  SendMessages(std::move(after_sync), &snapshot_failures);
  for (const auto& rs : rd.read_states) {
    auto it = read_waiters_.find(rs.context);
    if (it != read_waiters_.end()) it->second.index = std::max<uint64_t>(rs.index, 1);
  }
  RS_RETURN_IF_ERROR(ApplyCommitted(rd.committed_entries));
  RS_RETURN_IF_ERROR(MaybeCompact());
  raw_->Advance(rd);
  for (uint64_t to : snapshot_failures) raw_->ReportSnapshot(to, false);
  if (became_leader) OnBecameLeader();
  if (new_leader) ResendReads(/*all=*/true);  // what went to the old leader may be lost
  UpdateStatus();
  return Status::OK();
}

Status RaftNode::ApplyCommitted(const std::vector<raft::Entry>& entries) {
  const auto started = Clock::now();
  std::vector<LogEntry> batch;
  batch.reserve(entries.size());
  for (const raft::Entry& e : entries) {
    if (e.index <= applied_) continue;
    RS_ASSIGN_OR_RETURN(LogEntry le, ToLogEntryChecked(e));
    batch.push_back(std::move(le));
  }
  if (batch.empty()) return Status::OK();
  // One write for all of them, unsynced: the log is durable, and replay re-applies after a crash.
  RS_FAILPOINT("apply-before");
  RS_ASSIGN_OR_RETURN(std::vector<ApplyResult> results, sm_->ApplyBatch(batch, /*sync=*/false));
  RS_FAILPOINT("apply-after");
  // Only now, with the whole batch written, does anyone hear of it.
  for (size_t i = 0; i < batch.size(); ++i) {
    const uint64_t index = batch[i].log_id.index;
    const uint64_t term = batch[i].log_id.leader_id.term;
    applied_ = index;
    if (const auto* normal = std::get_if<NormalPayload>(&batch[i].payload)) {
      if (std::holds_alternative<AddNode>(normal->cmd) || std::holds_alternative<RemoveNode>(normal->cmd)) {
        if (transport_) transport_->InvalidateAddresses();
      }
    }
    hub_.Publish(results[i].changes, index);
    auto w = write_waiters_.find(index);
    if (w != write_waiters_.end()) {
      if (w->second.term == term) {
        w->second.done->set_value(std::move(results[i]));
      } else {
        w->second.done->set_value(Status::Unavailable("leadership changed before the write committed; it was not applied"));
      }
      write_waiters_.erase(w);
    }
  }
  ++counters_.apply_batches;
  counters_.entries_applied += batch.size();
  const auto took = Clock::now() - started;
  counters_.apply_us += std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  counters_.apply_seconds.Observe(std::chrono::duration<double>(took).count());
  return Status::OK();
}

bool RaftNode::SendRead(const std::string& ctx, ReadWaiter* w) {
  // Unavailable (no leader known) is the only refusal: the context is never empty.
  if (!raw_->ReadIndex(ctx).ok()) return false;
  w->sent = Clock::now();
  return true;
}

void RaftNode::ResendReads(bool all) {
  const auto now = Clock::now();
  for (auto& [ctx, w] : read_waiters_) {
    if (w.index == 0 && (all || now - w.sent >= kReadResend)) SendRead(ctx, &w);
  }
}

void RaftNode::ServeReads() {
  const auto now = Clock::now();
  for (auto it = read_waiters_.begin(); it != read_waiters_.end();) {
    ReadWaiter& w = it->second;
    if (w.index != 0 && w.index <= applied_) {
      w.done->set_value(Status::OK());
      it = read_waiters_.erase(it);
    } else if (now - w.started > std::chrono::seconds(30)) {
      w.done->set_value(Status::Unavailable("no leader confirmed the read within 30 s"));
      it = read_waiters_.erase(it);
    } else {
      ++it;
    }
  }
}


void RaftNode::SendMessages(std::vector<raft::Message> messages, std::vector<uint64_t>* snapshot_failures) {
  if (messages.empty()) return;
  std::vector<raft::Message> out;
  out.reserve(messages.size());
  for (raft::Message& m : messages) {
    if (m.type == raft::MessageType::kSnapshot) {
      // Streamed on a thread of its own; the outcome comes back through snapshot_reports_.
      const uint64_t to = m.to;
      auto address = PeerAddress(to);
      auto started = address ? snapshot_sender_->Start(std::move(m), *address)
                             : Result<raft::SnapshotMeta>(Status::NotFound("no raft address known"));
      if (!started.ok()) {
        // Busy (a transfer running or just failed) repeats with every probe: not worth a warning.
        const auto level = started.status().code() == Status::Code::kBusy ? spdlog::level::debug : spdlog::level::warn;
        spdlog::log(level, "node {}: cannot send a snapshot to node {}: {}", options_.id, to, started.status().message());
        snapshot_failures->push_back(to);
      } else {
        spdlog::info("node {}: node {} needs purged entries; sending it snapshot {} (term {}) at {}", options_.id, to,
                     started->index, started->term, *address);
      }
      continue;
    }
    out.push_back(std::move(m));
  }
  if (transport_) transport_->Send(std::move(out));
}

void RaftNode::FailAll(const raftstore::Status& why) {
  // Proposed writes may still commit (on another leader): their outcome is unknown.
  for (auto& [index, w] : write_waiters_) {
    w.done->set_value(Status::OutcomeUnknown(why.message() + "; the write was proposed at log index " +
                                             std::to_string(index) + ": its outcome is unknown"));
  }
  write_waiters_.clear();
  for (auto& [ctx, w] : read_waiters_) w.done->set_value(why);
  read_waiters_.clear();
  std::deque<Request> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    left.swap(inbox_);
  }
  for (Request& r : left) {
    if (r.write_done) r.write_done->set_value(why);
    if (r.read_done) r.read_done->set_value(why);
    // kCall: dropping `call` destroys its promise; the waiter sees a broken promise.
  }
}

std::string RaftNode::NotLeaderMessage() const {
  if (leader_ && raw_->raft().lead_transferee() != 0) {
    return "node " + std::to_string(options_.id) + " is handing leadership over to node " +
           std::to_string(raw_->raft().lead_transferee()) + "; retry";
  }
  if (lead_ == 0) return "node " + std::to_string(options_.id) + " is not the leader and no leader is known yet; retry";
  auto read = ReadNode(*dir_, lead_);
  const std::optional<Node> leader = read.ok() ? *read : std::nullopt;
  std::string where = leader && leader->grpc_api_advertise_address ? " at " + *leader->grpc_api_advertise_address : "";
  return "node " + std::to_string(options_.id) + " is not the leader; the leader is node " + std::to_string(lead_) + where;
}

void RaftNode::UpdateStatus() {
  raft::NodeStatus s = raw_->GetStatus();
  NodeStatusView v;
  v.id = options_.id;
  v.role = RoleName(s.soft_state.state, s.membership.IsLearner(options_.id));
  v.leader_id = s.soft_state.lead;
  v.term = s.hard_state.term;
  v.last_log_index = s.last_index;
  v.last_applied = applied_;
  v.committed = s.hard_state.commit;
  v.purged = store_->purged_index();
  auto voters = s.membership.Voters();
  v.voters.assign(voters.begin(), voters.end());
  v.learners.assign(s.membership.learners.begin(), s.membership.learners.end());
  v.joint = s.membership.IsJoint();
  v.membership_index = raw_->raft().log().LatestMembership().first;
  v.snapshots_sent = snapshots_sent_;
  v.snapshots_installed = snapshots_installed_;
  v.counters = counters_;
  v.counters.fsyncs = store_->synced_writes();
  {
    std::lock_guard<std::mutex> lock(status_mu_);
    status_ = std::move(v);
  }
  status_cv_.notify_all();
}

void RaftNode::SetPeerAddressHint(uint64_t id, const std::string& raft_address) {
  std::lock_guard<std::mutex> lock(hints_mu_);
  address_hints_[id] = raft_address;
}

}  // namespace raftstore::node
