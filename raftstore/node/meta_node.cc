#include "raftstore/node/meta_node.h"

#include <algorithm>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "raftstore/common/endpoint.h"
#include "raftstore/node/entry_codec.h"
#include "raftstore/node/snapshot_store.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/record_stream.h"

namespace raftstore::node {

using Clock = std::chrono::steady_clock;

uint64_t MetaNode::NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

namespace {

// Time left until `until`, at least 1 ms (a deadline already passed still gets one short try).
std::chrono::milliseconds TimeLeft(Clock::time_point until) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()),
                  std::chrono::milliseconds(1));
}

// "host:port" -> Endpoint. Every raft address reaching here passed ParseHostPort (metasrv's
// config, AddMember); a failure would be a bug (it leaves port 0, as the old lenient parse did).
Endpoint ParseEndpoint(const std::string& addr) {
  auto hp = ParseHostPort(addr, "raft address");
  return hp.ok() ? Endpoint{hp->host, hp->port} : Endpoint{addr, 0};
}

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

Result<std::unique_ptr<MetaNode>> MetaNode::Open(const NodeOptions& options) {
  if (options.id == 0) return Status::InvalidArgument("--id must be 1 or more");
  std::unique_ptr<MetaNode> n(new MetaNode(options));
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

  std::optional<uint64_t> stored_id;
  RS_RETURN_IF_ERROR(n->dir_->GetJson(keys::kNodeId, &stored_id));
  if (stored_id && *stored_id != options.id) {
    return Status::InvalidArgument("raft dir " + options.raft_dir + " belongs to node " + std::to_string(*stored_id) +
                                   ", not --id " + std::to_string(options.id));
  }
  std::optional<StoredMembership> membership;
  RS_RETURN_IF_ERROR(n->dir_->GetJson(keys::kLastMembership, &membership));
  if (!membership && options.join) {
    // Joining: no configuration until the leader's appends bring one (the core accepts
    // appends from a leader while this node is in no configuration; it never campaigns).
    if (!stored_id) {
      rocksdb::WriteBatch b;
      PutRecord(&b, Record{kTreeRaftLog, NodeIdRec{options.id}});
      RS_RETURN_IF_ERROR(n->dir_->Write(&b, true));
    }
  } else if (!membership) {
    if (!options.single) {
      return Status::InvalidArgument("raft dir " + options.raft_dir +
                                     " has no cluster membership: start with --single to bootstrap a one-node "
                                     "cluster, or seed it with `metactl import --initial-cluster`");
    }
    RS_RETURN_IF_ERROR(n->Bootstrap());
  } else if (!stored_id) {
    rocksdb::WriteBatch b;
    PutRecord(&b, Record{kTreeRaftLog, NodeIdRec{options.id}});
    RS_RETURN_IF_ERROR(n->dir_->Write(&b, true));
  }

  RS_ASSIGN_OR_RETURN(n->store_, RaftLogStore::Open(n->dir_.get()));
  n->sm_ = std::make_unique<StateMachine>(n->dir_.get());
  RS_ASSIGN_OR_RETURN(std::optional<LogId> applied, n->sm_->LastApplied());
  n->applied_ = applied ? applied->index : 0;

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

Status MetaNode::Bootstrap() {
  spdlog::info("bootstrapping a one-node cluster of node {} in {}", options_.id, options_.raft_dir);
  rocksdb::WriteBatch b;
  PutRecord(&b, Record{kTreeRaftLog, NodeIdRec{options_.id}});
  Membership m{{{options_.id}}, {options_.id}};
  PutRecord(&b, Record{kTreeStateMachine, LastMembershipRec{StoredMembership{std::nullopt, m}}});
  return dir_->Write(&b, /*sync=*/true);
}

MetaNode::~MetaNode() { Stop(); }

Status MetaNode::Start() {
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
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

Status MetaNode::Deliver(std::vector<raft::Message> messages) {
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

bool MetaNode::IsNotLeaderRefusal(const Status& st) {
  return st.code() == Status::Code::kNotLeader;
}

std::optional<std::string> MetaNode::PeerAddress(uint64_t id) const {
  std::optional<Node> n;
  raftstore::Status st = dir_->GetJson(keys::NodeKey(id), &n);
  if (!st.ok()) {
    spdlog::warn("node {}: reading the address of node {}: {}", options_.id, id, st.message());
    return std::nullopt;
  }
  if (!n || n->endpoint.addr.empty() || n->endpoint.port == 0) {
    std::lock_guard<std::mutex> lock(hints_mu_);
    auto it = address_hints_.find(id);
    if (it != address_hints_.end()) return it->second;
    return std::nullopt;
  }
  return n->endpoint.addr + ":" + std::to_string(n->endpoint.port);
}

void MetaNode::Stop() {
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

Result<ApplyResult> MetaNode::Propose(Cmd cmd, std::chrono::milliseconds timeout) {
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
    return Status::Unavailable("timed out after " + std::to_string(timeout.count()) +
                               " ms waiting for the write to commit; it may still be applied");
  }
  return fut.get();
}

Status MetaNode::Barrier(std::chrono::milliseconds timeout) {
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

NodeStatusView MetaNode::GetStatus() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

void MetaNode::Run() {
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
    if (now >= next_tick) {
      raw_->Tick();
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
    if (leader_ && now - last_cleanup_ >= std::chrono::seconds(1)) {
      last_cleanup_ = now;
      ProposeExpiryCleanup();
    }
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

void MetaNode::HandleRequests(std::deque<Request> requests) {
  for (Request& r : requests) {
    if (r.kind == Request::Kind::kCall) {
      r.call();
    } else if (r.kind == Request::Kind::kPropose) {
      if (!leader_) {
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
      raftstore::Status st = raw_->ReadIndex(ctx);
      if (!st.ok()) {
        r.read_done->set_value(Status::NotLeader(NotLeaderMessage() + ": " + st.message()));
        continue;
      }
      read_waiters_[ctx] = ReadWaiter{0, Clock::now(), r.read_done};
    }
  }
}

Status MetaNode::HandleReady() {
  raft::Ready rd = raw_->GetReady();
  bool became_leader = false;
  if (rd.soft_state) {
    const bool was_leader = leader_;
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
  const bool leader_known = rd.hard_state && lead_ != 0 && rd.hard_state->vote == lead_;
  RS_RETURN_IF_ERROR(store_->Persist(rd.entries, rd.hard_state, leader_known));
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
  UpdateStatus();
  return Status::OK();
}

Status MetaNode::ApplyCommitted(const std::vector<raft::Entry>& entries) {
  for (const raft::Entry& e : entries) {
    if (e.index <= applied_) continue;
    RS_ASSIGN_OR_RETURN(LogEntry le, ToLogEntryChecked(e));
    auto r = sm_->Apply(le, /*sync=*/false);  // the log is durable; replay re-applies after a crash
    if (!r.ok()) return r.status();
    applied_ = e.index;
    if (const auto* normal = std::get_if<NormalPayload>(&le.payload)) {
      if (std::holds_alternative<AddNode>(normal->cmd) || std::holds_alternative<RemoveNode>(normal->cmd)) {
        if (transport_) transport_->InvalidateAddresses();
      }
    }
    hub_.Publish(r->changes, e.index);
    auto w = write_waiters_.find(e.index);
    if (w != write_waiters_.end()) {
      if (w->second.term == e.term) {
        w->second.done->set_value(std::move(r).value());
      } else {
        w->second.done->set_value(Status::Unavailable("leadership changed before the write committed; it was not applied"));
      }
      write_waiters_.erase(w);
    }
  }
  return Status::OK();
}

void MetaNode::ServeReads() {
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

void MetaNode::OnBecameLeader() {
  spdlog::info("node {} is the leader (term {})", options_.id, raw_->GetStatus().hard_state.term);
  // Keep this node's entry in Nodes current: its addresses may have changed since last time.
  Node want{std::to_string(options_.id), ParseEndpoint(options_.raft_address), options_.grpc_address};
  std::optional<Node> have;
  raftstore::Status st = dir_->GetJson(keys::NodeKey(options_.id), &have);
  if (st.ok() && have == want) return;
  ProposeInternal(AddNode{options_.id, want, /*overriding=*/true});
}

void MetaNode::ProposeExpiryCleanup() {
  auto expired = sm_->ExpiredKeys(NowMs(), 1000);
  if (!expired.ok()) {
    spdlog::error("listing expired keys: {}", expired.status().message());
    return;
  }
  for (const std::string& key : *expired) {
    // Exact(0) matches only while the key is absent or expired: a rewrite in between wins.
    ProposeInternal(UpsertKV{key, MatchSeq{MatchSeq::Kind::kExact, 0}, Operation{Operation::Kind::kDelete, ""}, std::nullopt});
  }
}

void MetaNode::ProposeInternal(const Cmd& cmd) {
  auto pos = raw_->Propose(EncodeNormal(NormalPayload{NowMs(), cmd}));
  if (!pos.ok()) spdlog::warn("node {}: internal proposal refused: {}", options_.id, pos.status().message());
}

void MetaNode::SendMessages(std::vector<raft::Message> messages, std::vector<uint64_t>* snapshot_failures) {
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

void MetaNode::FailAll(const raftstore::Status& why) {
  for (auto& [index, w] : write_waiters_) w.done->set_value(why);
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

std::string MetaNode::NotLeaderMessage() const {
  if (lead_ == 0) return "node " + std::to_string(options_.id) + " is not the leader and no leader is known yet; retry";
  std::optional<Node> leader;
  (void)dir_->GetJson(keys::NodeKey(lead_), &leader);
  std::string where = leader && leader->grpc_api_advertise_address ? " at " + *leader->grpc_api_advertise_address : "";
  return "node " + std::to_string(options_.id) + " is not the leader; the leader is node " + std::to_string(lead_) + where;
}

void MetaNode::UpdateStatus() {
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
  std::lock_guard<std::mutex> lock(status_mu_);
  status_ = std::move(v);
}

void MetaNode::SetPeerAddressHint(uint64_t id, const std::string& raft_address) {
  std::lock_guard<std::mutex> lock(hints_mu_);
  address_hints_[id] = raft_address;
}

template <typename T>
Result<T> MetaNode::OnRaftThread(std::function<Result<T>()> fn, std::chrono::milliseconds timeout) {
  auto done = std::make_shared<std::promise<Result<T>>>();
  auto fut = done->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
    inbox_.push_back(Request{Request::Kind::kCall, "", nullptr, nullptr, [done, fn] { done->set_value(fn()); }});
  }
  cv_.notify_one();
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return Status::Unavailable("timed out after " + std::to_string(timeout.count()) + " ms waiting for the raft thread");
  }
  try {
    return fut.get();
  } catch (const std::future_error&) {
    return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
  }
}

Result<uint64_t> MetaNode::TransferLeader(uint64_t to, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto target = OnRaftThread<uint64_t>(
      [this, to]() -> Result<uint64_t> {
        if (!leader_) return Status::NotLeader(NotLeaderMessage());
        const raft::Raft& r = raw_->raft();
        uint64_t pick = to;
        if (pick == 0) {
          uint64_t best = 0;
          for (uint64_t v : r.membership().Voters()) {
            if (v == options_.id) continue;
            const auto& prs = r.tracker().progress();
            auto it = prs.find(v);
            const uint64_t match = it == prs.end() ? 0 : it->second.match;
            if (pick == 0 || match > best) pick = v, best = match;
          }
          if (pick == 0) return Status::InvalidArgument("node " + std::to_string(options_.id) +
                                                        " is the only voter: there is no one to transfer leadership to");
        }
        if (pick != options_.id && !r.membership().IsVoter(pick)) {
          return Status::InvalidArgument("cannot transfer leadership to node " + std::to_string(pick) +
                                         ": it is not a voter (voters: " + r.membership().ToString() + ")");
        }
        RS_RETURN_IF_ERROR(raw_->TransferLeader(pick));
        return pick;
      },
      timeout);
  if (!target.ok()) return target.status();
  for (;;) {
    NodeStatusView s = GetStatus();
    if (s.leader_id == *target && (*target != options_.id || s.role == "leader")) return *target;
    if (Clock::now() > until) {
      return Status::Unavailable("timed out after " + std::to_string(timeout.count()) +
                                 " ms waiting for node " + std::to_string(*target) +
                                 " to become the leader (the transfer is aborted after one election timeout; "
                                 "the leader is now node " + std::to_string(s.leader_id) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<MembershipChangeResult> MetaNode::WaitMembership(const std::function<bool(const NodeStatusView&)>& done,
                                                        std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    NodeStatusView s = GetStatus();
    if (!s.joint && s.membership_index <= s.committed && done(s)) {
      return MembershipChangeResult{s.voters, s.learners, s.membership_index};
    }
    if (Clock::now() > until) {
      return Status::Unavailable("timed out after " + std::to_string(timeout.count()) +
                                 " ms waiting for the membership change to commit (latest configuration at index " +
                                 std::to_string(s.membership_index) + ", committed " + std::to_string(s.committed) +
                                 "); it may still complete");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<MembershipChangeResult> MetaNode::AddMember(uint64_t id, const std::string& raft_address,
                                                   const std::string& grpc_address, bool learner,
                                                   std::chrono::milliseconds timeout) {
  if (id == 0) return Status::InvalidArgument("member id must be 1 or more");
  if (!raft_address.empty()) RS_RETURN_IF_ERROR(ParseHostPort(raft_address, FlagValue("raft_address", raft_address)).status());
  const auto until = Clock::now() + timeout;
  auto proposed = OnRaftThread<bool>(
      [=, this]() -> Result<bool> {
        if (!leader_) return Status::NotLeader(NotLeaderMessage());
        const raft::MembershipConfig cur = raw_->raft().membership();
        const std::string sid = std::to_string(id);
        if (cur.IsVoter(id)) return Status::AlreadyMember("node " + sid + " is already a voter");
        const bool promote = cur.IsLearner(id);
        if (promote && learner) return Status::AlreadyMember("node " + sid + " is already a learner");
        if (!promote && (raft_address.empty() || grpc_address.empty())) {
          return Status::InvalidArgument("adding node " + sid + " needs its raft and grpc addresses");
        }
        if (cur.IsJoint()) return Status::Busy("raft: a membership change is still in progress; retry after it commits");
        std::set<uint64_t> voters = cur.configs.empty() ? std::set<uint64_t>{} : cur.configs.back();
        std::set<uint64_t> learners = cur.learners;
        if (learner) {
          learners.insert(id);
        } else {
          learners.erase(id);
          voters.insert(id);
        }
        // The configuration first: if the core refuses it (Busy), nothing was proposed.
        auto pos = raw_->ProposeMembership(voters, learners);
        if (!pos.ok()) return pos.status();
        if (!promote) {
          Node n{sid, ParseEndpoint(raft_address), grpc_address};
          auto np = raw_->Propose(EncodeNormal(NormalPayload{NowMs(), AddNode{id, n, /*overriding=*/true}}));
          if (!np.ok()) return np.status();
        }
        return true;
      },
      timeout);
  if (!proposed.ok()) return proposed.status();
  auto r = WaitMembership(
      [&](const NodeStatusView& s) {
        const bool is_voter = std::find(s.voters.begin(), s.voters.end(), id) != s.voters.end();
        const bool is_learner = std::find(s.learners.begin(), s.learners.end(), id) != s.learners.end();
        return learner ? is_learner : is_voter;
      },
      TimeLeft(until));
  if (!r.ok()) return r;
  if (learner) return r;
  // Wait until the Nodes record is applied too (proposed right after the configuration).
  for (;;) {
    std::optional<Node> n;
    RS_RETURN_IF_ERROR(dir_->GetJson(keys::NodeKey(id), &n));
    if (n) return r;
    if (Clock::now() > until) return Status::Unavailable("timed out waiting for the Nodes record of node " + std::to_string(id));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<MembershipChangeResult> MetaNode::RemoveMember(uint64_t id, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto proposed = OnRaftThread<bool>(
      [=, this]() -> Result<bool> {
        if (!leader_) return Status::NotLeader(NotLeaderMessage());
        const raft::MembershipConfig cur = raw_->raft().membership();
        const std::string sid = std::to_string(id);
        if (!cur.IsVoter(id) && !cur.IsLearner(id)) {
          return Status::NotFound("node " + sid + " is not a member (" + cur.ToString() + ")");
        }
        if (cur.IsJoint()) return Status::Busy("raft: a membership change is still in progress; retry after it commits");
        std::set<uint64_t> voters = cur.configs.empty() ? std::set<uint64_t>{} : cur.configs.back();
        std::set<uint64_t> learners = cur.learners;
        if (voters.count(id) && voters.size() == 1) {
          return Status::InvalidArgument("cannot remove node " + sid + ": it is the last voter");
        }
        if (id == options_.id) {
          return Status::InvalidArgument("cannot remove node " + sid +
                                         ": it is the leader; move leadership first (metactl transfer-leader)");
        }
        voters.erase(id);
        learners.erase(id);
        auto pos = raw_->ProposeMembership(voters, learners);
        if (!pos.ok()) return pos.status();
        return true;
      },
      timeout);
  if (!proposed.ok()) return proposed.status();
  auto r = WaitMembership(
      [&](const NodeStatusView& s) {
        return std::find(s.voters.begin(), s.voters.end(), id) == s.voters.end() &&
               std::find(s.learners.begin(), s.learners.end(), id) == s.learners.end();
      },
      TimeLeft(until));
  if (!r.ok()) return r;
  auto rm = Propose(RemoveNode{id}, TimeLeft(until));
  if (!rm.ok()) {
    return Status::Unavailable("node " + std::to_string(id) + " left the configuration, but removing its Nodes record failed: " +
                               rm.status().message());
  }
  return r;
}

Result<TriggerSnapshotResult> MetaNode::TriggerSnapshot(std::chrono::milliseconds timeout) {
  return OnRaftThread<TriggerSnapshotResult>(
      [this]() -> Result<TriggerSnapshotResult> {
        if (applied_ == 0) {
          return Status::InvalidArgument("node " + std::to_string(options_.id) +
                                         " has applied nothing yet: there is nothing to snapshot");
        }
        RS_RETURN_IF_ERROR(store_->Compact(applied_));
        spdlog::info("node {}: snapshot at {}: log purged up to it", options_.id, applied_);
        UpdateStatus();
        return TriggerSnapshotResult{applied_, store_->purged_index(), raw_->GetStatus().last_index};
      },
      timeout);
}

}  // namespace raftstore::node
