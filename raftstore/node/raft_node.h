// RaftNode: one metasrv node. It owns the raft dir, drives the raft core on one thread (the
// "raft thread") and serves the gRPC layer's requests through thread-safe calls.
//
// The raft thread follows ready.h's contract for every Ready: persist entries + hard state
// with one synced write (RaftLogStore::Persist), then send messages (a leader's appends and
// heartbeats go out before the sync, which ready.h allows: followers then write in parallel),
// then apply committed entries through the StateMachine, then Advance. So a write is acknowledged only after its
// entry is durable and applied, and a vote is on disk before it is granted.
// Group commit: the raft thread takes in every request queued while it was busy (persisting,
// applying) before it asks for the next Ready, so all of them are appended, synced (one
// fsync), sent and, once committed, applied (one state machine write batch,
// StateMachine::ApplyBatch) together; the replies go out after that batch is written.
//
// Writes: Propose() hands a command to the raft thread, which appends it as a Normal entry
// (time_ms = the leader's clock) and completes the call when that entry is applied.
// Reads: Barrier() runs a ReadIndex round (thesis §6.4) and returns once the state machine has
// applied everything committed before the call; reads after it are linearizable.
// Peers: the raft thread hands rd.messages to a Transport (per-peer async senders, never
// blocking) after the sync; messages from peers arrive through RaftPeerService -> Deliver() and
// are stepped on the raft thread. Peer addresses come from the state machine's Nodes.
// Expired keys: the leader proposes UpsertKV{key, Exact(0), Delete} for them every second, so
// their removal goes through the log like any write.
// Snapshots (§7; snapshot_store.h): the state machine is the snapshot. After applying, the raft
// thread purges the log once `snapshot_logs_since_last` entries beyond the kept tail were
// applied (keeping the last `max_applied_log_to_keep` for followers that lag a little), and
// TriggerSnapshot() purges up to the applied index at once. A follower that needs purged
// entries is sent the state machine (SnapshotSender); a receiving node stages it on disk
// (RaftPeerService::InstallSnapshot -> BeginIncomingSnapshot / DeliverIncomingSnapshot), steps the
// core's message only once it is complete, and installs it as ready.h step 1 says.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>

#include "raftstore/common/latency_histogram.h"
#include "raftstore/node/node_clock.h"
#include "raftstore/node/snapshot_sender.h"
#include "raftstore/node/transport.h"
#include "raftstore/node/watch_hub.h"
#include "raftstore/raft/rawnode.h"
#include "raftstore/sm/state_machine.h"
#include "raftstore/storage/log_store.h"
#include "raftstore/storage/raft_dir.h"

namespace raftstore::node {

// How long CheckFreeSpace's answer is used before the filesystem is asked again.
inline constexpr std::chrono::milliseconds kFreeSpaceRecheck{100};

struct NodeOptions {
  uint64_t id = 0;
  std::string raft_dir;
  std::string raft_address;  // HOST:PORT this node's peers use
  std::string grpc_address;  // HOST:PORT clients use (advertised in Nodes)
  bool single = false;       // bootstrap a one-node cluster when the dir is fresh
  bool join = false;         // a fresh dir starts with no membership and waits for a leader
  int tick_ms = 100;
  int election_ticks = 6;    // election timeout in [6, 12) ticks (heartbeat: every tick)
  uint64_t seed = 0;         // 0: from the clock
  // Log purging (names as databend-meta's): purge once this many applied entries lie beyond
  // the kept tail; keep this many applied entries for followers that are a little behind.
  uint64_t snapshot_logs_since_last = 1024;
  uint64_t max_applied_log_to_keep = 256;
  // A client write is refused (NoSpace, nothing proposed) while the filesystem of the raft dir
  // has less than this many bytes available, so that the log, its sync and RocksDB's flushes
  // keep room: reads go on, and writes are taken again once space is freed. 0: no check.
  // The filesystem is asked at most every kFreeSpaceRecheck: a write up to that long after the
  // space fell below (or came back above) the limit is judged by the last answer.
  uint64_t min_free_bytes = 128ULL << 20;
  // Wall time and tick source (node_clock.h); must outlive the node. Null: the system clock.
  NodeClock* clock = nullptr;
};

// What the raft thread did since the node started; a user sees it in `metactl status --json`.
struct WritePathCounters {
  uint64_t proposals = 0;          // log entries this node appended as leader
  uint64_t ready_batches = 0;      // Readies handled (each: at most one Persist, one apply batch)
  uint64_t persist_batches = 0;    // Readies that wrote log entries (their entries: one synced write)
  uint64_t entries_persisted = 0;  // log entries written by those
  uint64_t fsyncs = 0;             // synced writes of the raft log (entries/votes, log purges)
  uint64_t apply_batches = 0;      // state machine writes of committed entries (one per Ready)
  uint64_t entries_applied = 0;
  uint64_t apply_us = 0;           // time spent applying them, replies included, in microseconds
  uint64_t leader_changes = 0;     // times this node saw a new leader (itself included)
  // Distributions for metasrv's /metrics (docs/metrics.md): seconds per synced log write,
  // seconds per apply batch, log entries per persisted Ready (the group-commit batch size).
  Histogram persist_seconds{Histogram::kSecondsBounds};
  Histogram apply_seconds{Histogram::kSecondsBounds};
  Histogram ready_entries{Histogram::kCountBounds};
};

struct NodeStatusView {
  uint64_t id = 0;
  std::string role;
  uint64_t leader_id = 0;
  uint64_t term = 0;
  uint64_t last_log_index = 0;
  uint64_t last_applied = 0;
  uint64_t committed = 0;
  uint64_t purged = 0;
  std::vector<uint64_t> voters;
  std::vector<uint64_t> learners;
  bool joint = false;             // the latest configuration is joint ([[old],[new]])
  uint64_t membership_index = 0;  // log index of the latest configuration (0: none in the log)
  uint64_t snapshots_sent = 0;       // completed transfers as leader, since start
  uint64_t snapshots_installed = 0;  // snapshots installed from a leader, since start
  // The write path since start (docs/cluster.md "Write path: group commit and its counters").
  WritePathCounters counters;
};

struct TriggerSnapshotResult {
  uint64_t snapshot_index = 0;  // the applied index: what the state machine covers
  uint64_t purged = 0;          // the log is purged up to here
  uint64_t last_log_index = 0;
};

// The outcome of a membership change: the committed configuration.
struct MembershipChangeResult {
  std::vector<uint64_t> voters;
  std::vector<uint64_t> learners;
  uint64_t log_index = 0;
};

class RaftNode {
 public:
  // Opens the raft dir and checks/bootstraps it. Errors name the dir and what to do.
  static Result<std::unique_ptr<RaftNode>> Open(const NodeOptions& options);
  ~RaftNode();

  Status Start();  // starts the raft thread and the transport
  void Stop();     // fails pending calls, joins the threads, closes the raft dir

  // Messages from peers (RaftPeerService): queued for the raft thread, which steps them.
  // Unavailable once the node is stopping.
  Status Deliver(std::vector<raft::Message> messages);

  // Appends `cmd` and waits (up to `timeout`) until it is applied. NotLeader when this node
  // is not the leader (the message names the leader when known).
  // NoSpace (nothing proposed) below NodeOptions::min_free_bytes.
  Result<ApplyResult> Propose(Cmd cmd, std::chrono::milliseconds timeout);

  // Waits until everything committed before the call is applied (ReadIndex).
  Status Barrier(std::chrono::milliseconds timeout);

  // Waits until a leader is known other than the one `seen` names (another id, or the same id
  // at a later term; any leader when `seen.leader_id` is 0), or until `until`; returns the
  // status then. For a caller whose request was refused because this node does not lead or the
  // leader could not be reached (nothing was done): it waits here, then routes the request
  // again (raftstore/server/leader_route.h).
  NodeStatusView AwaitLeaderChange(const NodeStatusView& seen, std::chrono::steady_clock::time_point until) const;

  // Leadership transfer to voter `to` (0: the other voter with the highest match index).
  // Leader only (else the not-leader refusal); returns once this node sees the new leader.
  Result<uint64_t> TransferLeader(uint64_t to, std::chrono::milliseconds timeout);

  // Membership changes (leader only, else the not-leader refusal). AddMember proposes the
  // configuration with `id` (learner or voter; an existing learner with learner=false is
  // promoted) and then its Nodes record; RemoveMember proposes the configuration without
  // `id` and, once committed, removes its Nodes record. Both return once the final
  // (non-joint) configuration is committed. The core's Busy refusal is passed on. AddMember
  // of a node that already has the asked-for role (or is a voter) is AlreadyMember.
  Result<MembershipChangeResult> AddMember(uint64_t id, const std::string& raft_address,
                                           const std::string& grpc_address, bool learner,
                                           std::chrono::milliseconds timeout);
  Result<MembershipChangeResult> RemoveMember(uint64_t id, std::chrono::milliseconds timeout);

  // A raft address for `id` used while Nodes has none (a joining node does not know its
  // peers' addresses until it has replayed their AddNode entries). Call before Start().
  void SetPeerAddressHint(uint64_t id, const std::string& raft_address);

  // Takes a snapshot now: purges the log up to the applied index.
  Result<TriggerSnapshotResult> TriggerSnapshot(std::chrono::milliseconds timeout);

  // Receiving a snapshot (RaftPeerService::InstallSnapshot). Begin reserves the one staging slot
  // and returns the file to write (Busy while another snapshot is being received or not yet
  // installed); Abandon frees it after a failed receive; Deliver hands the complete, synced
  // snapshot's kSnapshot message to the raft thread, which steps it only if it matches the
  // staged one and installs it (or drops the file if the core refuses it).
  Result<std::string> BeginIncomingSnapshot();
  void AbandonIncomingSnapshot();
  Status DeliverIncomingSnapshot(raft::Message m);

  // A consistent view of the state machine for reads on other threads (pass it to
  // StateMachine::Get/List, ForEachRecord): never a half-installed snapshot, because an
  // install holds state_mu_ exclusively. Take it after Barrier().
  std::shared_ptr<const raftstore::ReadView> ReadView() const;

  const StateMachine& state_machine() const { return *sm_; }
  const RaftDir& dir() const { return *dir_; }
  WatchHub& watch_hub() { return hub_; }
  NodeStatusView GetStatus() const;
  const NodeOptions& options() const { return options_; }

  // Wall time in ms from the node's clock: entries are stamped with it, reads judge expiry by it.
  uint64_t NowMs() const { return clock_->WallMs(); }

  // Runs `n` raft ticks on the raft thread and returns once they were stepped. Only for a node
  // whose clock has ExternalTicks() (tests); InvalidArgument otherwise.
  Status Tick(int n, std::chrono::milliseconds timeout);

 private:
  // NoSpace when the raft dir's filesystem has less than options_.min_free_bytes available.
  // Asks the filesystem (a statvfs and a stat) at most every kFreeSpaceRecheck, not per write:
  // under load they were one in six of a leader's system calls.
  Status CheckFreeSpace() const;
  struct Request {
    enum class Kind { kPropose, kRead, kCall } kind;
    std::string data;  // kPropose: the Normal payload's JSON
    std::shared_ptr<std::promise<Result<ApplyResult>>> write_done;
    std::shared_ptr<std::promise<raftstore::Status>> read_done;
    std::function<void()> call;  // kCall: runs on the raft thread
  };
  struct WriteWaiter {
    uint64_t term;
    std::shared_ptr<std::promise<Result<ApplyResult>>> done;
  };
  // A read waiting for its read index (ReadIndex, thesis §6.4). Its request to the leader can
  // be lost (the leader died or stepped down, the message was dropped) and nothing in raft
  // sends it again, so the node does (SendRead): when a new leader becomes known, and every
  // kReadResend while it is unanswered. A read made while no leader is known waits for one
  // (up to the caller's timeout) instead of failing at once. Sending the same context twice is
  // harmless: the leader ignores a context it already holds, and any index it gives after the
  // read started is a valid read index.
  struct ReadWaiter {
    uint64_t index = 0;  // 0 until the read state arrives
    std::chrono::steady_clock::time_point started;
    std::shared_ptr<std::promise<raftstore::Status>> done;
    std::chrono::steady_clock::time_point sent{};  // last sent to a leader; {}: not yet
  };
  static constexpr std::chrono::milliseconds kReadResend{500};  // as etcd's readIndexRetryTime

  explicit RaftNode(NodeOptions options)
      : options_(std::move(options)), clock_(options_.clock ? options_.clock : DefaultNodeClock()) {}
  raftstore::Status Bootstrap();
  void Run();
  void OnTick();  // one raft tick, and the chores counted in ticks
  void HandleRequests(std::deque<Request> requests);
  raftstore::Status HandleReady();
  raftstore::Status ApplyCommitted(const std::vector<raft::Entry>& entries);
  void ServeReads();
  // Sends the unanswered reads (index 0) again: all of them (`all`, a new leader) or those
  // last sent kReadResend ago or never sent.
  void ResendReads(bool all);
  bool SendRead(const std::string& ctx, ReadWaiter* w);
  void OnBecameLeader();
  // True if the latest configuration is exactly this one voter: it is the leader as soon as it
  // campaigns, so Start() campaigns at once instead of after an election timeout.
  bool SoleVoter() const;
  void ProposeExpiryCleanup();
  void ProposeInternal(const Cmd& cmd);
  void FailAll(const raftstore::Status& why);
  std::string NotLeaderMessage() const;
  void SendMessages(std::vector<raft::Message> messages, std::vector<uint64_t>* snapshot_failures);
  // Snapshot pieces (raft thread).
  void StepDelivered(const raft::Message& m);
  bool ClaimStagedSnapshot(const raft::Message& m);
  void FreeIncomingSlot();  // mu_ held: removes the staged file; the slot becomes kNone
  raftstore::Status InstallSnapshot(const raft::SnapshotMeta& meta);
  raftstore::Status MaybeCompact();
  std::optional<std::string> PeerAddress(uint64_t id) const;
  void UpdateStatus();
  // Runs `fn` on the raft thread and returns its result (Unavailable when stopping).
  template <typename T>
  Result<T> OnRaftThread(std::function<Result<T>()> fn, std::chrono::milliseconds timeout);
  // Waits until the latest configuration is committed, not joint, and `done` holds for it.
  Result<MembershipChangeResult> WaitMembership(const std::function<bool(const NodeStatusView&)>& done,
                                                std::chrono::milliseconds timeout);

  NodeOptions options_;
  NodeClock* clock_;
  mutable std::mutex space_mu_;  // guards the two below (CheckFreeSpace)
  mutable std::optional<std::chrono::steady_clock::time_point> space_checked_;
  mutable Status space_status_;
  std::unique_ptr<RaftDir> dir_;
  std::unique_ptr<RaftLogStore> store_;
  std::unique_ptr<StateMachine> sm_;
  std::unique_ptr<raft::RawNode> raw_;
  WatchHub hub_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<SnapshotSender> snapshot_sender_;
  mutable std::shared_mutex state_mu_;  // shared: taking a ReadView; exclusive: installing

  std::mutex mu_;  // guards inbox_, delivered_, unreachable_, snapshot_reports_, incoming_*, stopping_
  std::condition_variable cv_;
  std::deque<Request> inbox_;
  std::vector<raft::Message> delivered_;  // from peers, to step
  std::set<uint64_t> unreachable_;        // peers the transport dropped messages to
  std::vector<std::pair<uint64_t, bool>> snapshot_reports_;  // ended transfers: (to, ok)
  // The one incoming-snapshot slot: kReceiving (a stream is writing the staged file), kStaged
  // (complete; its message is queued), kInstalling (the core accepted it; next Ready installs).
  enum class Incoming { kNone, kReceiving, kStaged, kInstalling } incoming_ = Incoming::kNone;
  raft::SnapshotMeta incoming_meta_;
  bool stopping_ = false;
  std::thread thread_;

  // Raft thread only.
  std::map<uint64_t, WriteWaiter> write_waiters_;  // by log index
  std::map<std::string, ReadWaiter> read_waiters_;  // by read context
  uint64_t next_read_ctx_ = 1;
  uint64_t applied_ = 0;
  uint64_t snapshots_sent_ = 0, snapshots_installed_ = 0;
  WritePathCounters counters_;  // fsyncs: from store_ when the status is updated
  bool leader_ = false;
  uint64_t lead_ = 0;
  int ticks_since_cleanup_ = 0;

  mutable std::mutex hints_mu_;
  std::map<uint64_t, std::string> address_hints_;

  mutable std::mutex status_mu_;
  mutable std::condition_variable status_cv_;  // notified when status_ is updated
  NodeStatusView status_;
};

}  // namespace raftstore::node
