// Deterministic simulation of a Raft cluster built on the pure core.
//
// One seed drives everything: cluster size, fault rates, message loss/delay/reordering/
// duplication, partitions, crashes (including crashes between GetReady() and the sync, which
// keep only a prefix of that Ready's writes, and crashes that lose a commit index written
// without a sync, as metasrv writes a Ready that only moves it), restarts, proposals, membership changes,
// snapshots/compaction, leader transfers and ReadIndex reads. After every event the invariants
// below are checked; a violation prints the exact replay command.
//
// Invariants (Raft paper Figure 3 + thesis):
//   Election safety     at most one leader per term.
//   Log matching        entries with the same (index, term) have the same content and the same
//                       previous term (so, inductively, identical prefixes).
//   Leader completeness a leader of term T holds every entry committed in terms < T.
//   State machine safety every node applies the same entry at each index, in order (a rolling
//                       hash of the applied sequence must agree per index, also across snapshots).
//   Durability          nothing committed is lost: commits are never overwritten (follows from
//                       the above), and after healing every member converges to the same state.
//   Linearizable reads  a ReadState's index is >= every index committed before the read began.
//
// Usage: raft_sim_test [--seed=N | --first=N --count=M] [--verbose]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "raftstore/raft/memory_storage.h"
#include "raftstore/raft/rawnode.h"
#include "tests/raftstore/raft/sim_checker.h"
#include "tests/raftstore/raft/sim_model.h"

namespace raftstore::raft::sim {
namespace {

uint64_t g_current_seed = 0;

void FatalWithReplay(const std::string& message) {
  std::fprintf(stderr, "raft core fatal error in seed %llu: %s\nreplay: raft_sim_test --seed=%llu --verbose\n",
               static_cast<unsigned long long>(g_current_seed), message.c_str(),
               static_cast<unsigned long long>(g_current_seed));
  std::abort();
}


class Simulation {
 public:
  Simulation(uint64_t seed, bool verbose) : seed_(seed), verbose_(verbose), rng_(seed) {
    p_.num_nodes = 3 + static_cast<int>(rng_.Uniform(3));  // 3..5 nodes exist
    p_.loss = Chance(0.3) ? 0.0 : 0.01 * static_cast<double>(rng_.Uniform(15));
    p_.dup = 0.01 * static_cast<double>(rng_.Uniform(6));
    p_.max_delay = 1 + rng_.Uniform(4);
    p_.p_crash = 0.002 + 0.002 * static_cast<double>(rng_.Uniform(5));
    p_.p_kill_new_leader = 0.1 * static_cast<double>(rng_.Uniform(4));
    p_.p_torn = 0.005 + 0.005 * static_cast<double>(rng_.Uniform(5));
    p_.p_partition = 0.004 * static_cast<double>(rng_.Uniform(4));
    p_.p_heal = 0.03;
    p_.p_propose = 0.1 + 0.1 * static_cast<double>(rng_.Uniform(5));
    p_.p_member = 0.005 * static_cast<double>(rng_.Uniform(5));
    p_.p_compact = 0.02 * static_cast<double>(rng_.Uniform(6));
    p_.p_transfer = 0.002 * static_cast<double>(rng_.Uniform(4));
    p_.p_read = 0.05;
  }

  // Returns "" on success, else the first violation.
  std::string Run(int chaos_steps, int max_quiet_steps) {
    Log("params: nodes=" + std::to_string(p_.num_nodes) + " loss=" + std::to_string(p_.loss) +
        " dup=" + std::to_string(p_.dup) + " max_delay=" + std::to_string(p_.max_delay));
    MembershipConfig initial;
    initial.configs = {{1, 2, 3}};
    for (int i = 1; i <= p_.num_nodes; ++i) {
      auto n = std::make_unique<Node>();
      n->id = static_cast<uint64_t>(i);
      n->storage = i <= 3 ? MemoryStorage::Bootstrap(initial) : MemoryStorage();
      nodes_.push_back(std::move(n));
      Restart(*nodes_.back());
    }
    for (int s = 0; s < chaos_steps && failure_.empty(); ++s) Step(/*chaos=*/true);
    if (!failure_.empty()) return failure_;
    // Quiet phase: heal everything and require convergence (no committed entry lost).
    Log("--- quiet phase ---");
    partition_.clear();
    for (auto& n : nodes_) {
      if (!n->up) Restart(*n);
    }
    chaos_ = false;
    for (int s = 0; s < max_quiet_steps && failure_.empty(); ++s) {
      Step(/*chaos=*/false);
      if (Converged()) return failure_;
    }
    if (failure_.empty()) Fail("liveness: cluster did not converge after healing (" + Summary() + ")");
    return failure_;
  }

  uint64_t applied_total() const { return checker_.max_committed(); }

 private:
  bool Chance(double p) { return static_cast<double>(rng_.Uniform(1000000)) < p * 1e6; }
  Node& N(uint64_t id) { return *nodes_[id - 1]; }

  void Log(const std::string& s) {
    if (verbose_) std::fprintf(stderr, "[t=%llu] %s\n", static_cast<unsigned long long>(now_), s.c_str());
  }
  void Fail(const std::string& why) {
    if (failure_.empty()) failure_ = "t=" + std::to_string(now_) + ": " + why;
  }

  void Step(bool chaos) {
    ++now_;
    if (chaos) RandomEvents();
    for (auto& n : nodes_) {
      if (!n->up && n->down_until <= now_ && chaos) Restart(*n);
      auto k = kill_at_.find(n->id);
      if (k != kill_at_.end() && k->second <= now_) {
        kill_at_.erase(k);
        if (n->up && chaos) Crash(*n, "kill-new-leader");
      }
    }
    for (auto& n : nodes_) {
      if (!n->up) continue;
      n->raw->Tick();
      ProcessReady(*n);
    }
    DeliverDue();
    if (!chaos && now_ % 25 == 0) ProposeOnLeader("quiet-" + std::to_string(now_));
  }

  // ---------------------------------------------------------------- events
  void RandomEvents() {
    if (Chance(p_.p_propose)) ProposeOnLeader("p" + std::to_string(++proposals_));
    if (Chance(p_.p_crash)) {
      Node& n = N(1 + rng_.Uniform(nodes_.size()));
      if (n.up) Crash(n, "crash");
    }
    if (partition_.empty() && Chance(p_.p_partition)) {
      partition_.clear();
      std::string desc;
      for (auto& n : nodes_) {
        partition_[n->id] = static_cast<int>(rng_.Uniform(2));
        desc += " " + std::to_string(n->id) + ":" + std::to_string(partition_[n->id]);
      }
      ++g_stats.partitions;
      Log("partition" + desc);
    } else if (!partition_.empty() && Chance(p_.p_heal)) {
      partition_.clear();
      Log("heal");
    }
    if (Chance(p_.p_member)) ChangeMembership();
    if (Chance(p_.p_compact)) Compact(N(1 + rng_.Uniform(nodes_.size())));
    if (Chance(p_.p_transfer)) {
      if (Node* l = AnyLeader()) {
        uint64_t to = 1 + rng_.Uniform(nodes_.size());
        Status st = l->raw->TransferLeader(to);
        if (st.ok() && to != l->id) ++g_stats.transfers;
        Log("transfer " + std::to_string(l->id) + " -> " + std::to_string(to) + ": " + st.ToString());
        ProcessReady(*l);
      }
    }
    if (Chance(p_.p_read)) {
      Node& n = N(1 + rng_.Uniform(nodes_.size()));
      if (n.up) {
        std::string ctx = "r" + std::to_string(++reads_issued_);
        if (n.raw->ReadIndex(ctx).ok()) {
          const uint64_t floor = checker_.BeginRead(ctx);
          Log("read " + ctx + " on " + std::to_string(n.id) + " floor " + std::to_string(floor));
          ProcessReady(n);
        }
      }
    }
  }

  Node* AnyLeader() {
    Node* best = nullptr;
    for (auto& n : nodes_) {
      if (n->up && n->raw->raft().state() == StateType::kLeader &&
          (!best || n->raw->raft().term() > best->raw->raft().term())) {
        best = n.get();
      }
    }
    return best;
  }

  void ProposeOnLeader(const std::string& data) {
    Node* l = AnyLeader();
    if (!l) return;
    auto r = l->raw->Propose(data);
    if (r.ok()) Log("propose " + data + " on " + std::to_string(l->id) + " at " + std::to_string(r->index));
    ProcessReady(*l);
  }

  void ChangeMembership() {
    Node* l = AnyLeader();
    if (!l) return;
    std::vector<uint64_t> ids;
    for (auto& n : nodes_) ids.push_back(n->id);
    for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng_.Uniform(i)]);
    size_t nv = Chance(0.7) ? std::min<size_t>(3, ids.size()) : 1 + rng_.Uniform(ids.size());
    std::set<uint64_t> voters(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(nv));
    std::set<uint64_t> learners;
    for (size_t i = nv; i < ids.size(); ++i) {
      if (Chance(0.5)) learners.insert(ids[i]);
    }
    MembershipConfig target{{voters}, learners};
    auto r = l->raw->ProposeMembership(voters, learners);
    if (r.ok()) ++g_stats.memberships;
    Log("membership " + target.ToString() + " on " + std::to_string(l->id) + ": " +
        (r.ok() ? "at " + std::to_string(r->index) : r.status().ToString()));
    ProcessReady(*l);
  }

  void Compact(Node& n) {
    if (!n.up) return;
    const uint64_t snap = n.storage.Snapshot()->index;
    if (n.sm.index <= snap + 2) return;
    Status st = n.storage.CreateSnapshot(n.sm.index, n.sm.config, n.sm.Encode());
    if (!st.ok()) return Fail("create snapshot on " + std::to_string(n.id) + ": " + st.ToString());
    const uint64_t keep = rng_.Uniform(4);
    const uint64_t to = n.sm.index > keep ? n.sm.index - keep : n.sm.index;
    st = n.storage.Compact(to);
    if (!st.ok()) return Fail("compact on " + std::to_string(n.id) + ": " + st.ToString());
    ++g_stats.compactions;
    Log("snapshot+compact on " + std::to_string(n.id) + " at " + std::to_string(n.sm.index) + " to " + std::to_string(to));
  }

  void Crash(Node& n, const std::string& why) {
    Log(why + " " + std::to_string(n.id));
    // The commit index written since the last sync may be lost; the node restarts from at
    // least its durable applied index (the snapshot here), as metasrv's RaftLogStore::Load does.
    HardState hs = n.storage.hard_state();
    const uint64_t floor = std::max(n.synced_commit, n.storage.Snapshot()->index);
    if (hs.commit > floor && Chance(0.5)) {
      Log("commit index " + std::to_string(hs.commit) + " -> " + std::to_string(floor) + " (not synced) on " +
          std::to_string(n.id));
      hs.commit = floor;
      n.storage.SetHardState(hs);
      ++g_stats.commit_lost;
    }
    n.synced_commit = hs.commit;
    ++g_stats.crashes;
    n.up = false;
    n.raw.reset();
    n.received_snapshots.clear();
    n.down_until = now_ + 5 + rng_.Uniform(50);
  }

  void Restart(Node& n) {
    n.incarnation++;
    n.sm = StateMachine::Decode(n.storage.snapshot_data(), n.storage.Snapshot()->membership);
    Config c;
    c.id = n.id;
    c.storage = &n.storage;
    c.election_tick = 10;
    c.heartbeat_tick = 2;
    c.applied = n.sm.index;
    c.max_entries_per_msg = 1 + seed_ % 8;  // small batches exercise the pipeline
    c.max_inflight_msgs = 1 + seed_ % 5;
    c.seed = Mix(seed_, n.id * 1000 + n.incarnation);
    auto r = RawNode::Create(c);
    if (!r.ok()) return Fail("restart " + std::to_string(n.id) + ": " + r.status().ToString());
    n.raw = std::move(r).value();
    n.up = true;
    Log("start " + std::to_string(n.id) + " (incarnation " + std::to_string(n.incarnation) + ", applied " +
        std::to_string(n.sm.index) + ", term " + std::to_string(n.raw->raft().term()) + ")");
  }

  // ---------------------------------------------------------------- the Ready loop
  void ProcessReady(Node& n) {
    while (failure_.empty() && n.up && n.raw->HasReady()) {
      Ready rd = n.raw->GetReady();
      checker_.CheckAppendedEntries(n, rd);
      // A leader's appends may leave before the sync (ready.h step 3's exception), as metasrv
      // sends them; a torn crash right after tests that it is safe.
      std::vector<Message> after_sync;
      for (auto& m : rd.messages) {
        if (n.raw->MaySendBeforeSync(rd, m)) {
          Send(n, std::move(m));
        } else {
          after_sync.push_back(std::move(m));
        }
      }
      if (chaos_ && rd.MustSync() && Chance(p_.p_torn)) return TornCrash(n, rd);
      if (rd.snapshot && !InstallSnapshot(n, *rd.snapshot)) return;
      Status st = n.storage.Append(rd.entries);
      if (!st.ok()) return Fail("append on " + std::to_string(n.id) + ": " + st.ToString());
      const HardState before = n.storage.hard_state();
      if (rd.hard_state) n.storage.SetHardState(*rd.hard_state);
      const bool commit_only = rd.entries.empty() && !rd.snapshot && rd.hard_state &&
                               rd.hard_state->term == before.term && rd.hard_state->vote == before.vote;
      if (!commit_only) n.synced_commit = n.storage.hard_state().commit;
      // synced: only now may the other messages leave
      for (auto& m : after_sync) Send(n, std::move(m));
      for (const auto& e : rd.committed_entries) Apply(n, e);
      for (const auto& rs : rd.read_states) {
        checker_.CheckRead(n, rs);
        Log("read " + rs.context + " on " + std::to_string(n.id) + " at " + std::to_string(rs.index));
      }
      if (rd.soft_state && rd.soft_state->state == StateType::kLeader && chaos_ &&
          Chance(p_.p_kill_new_leader)) {
        kill_at_[n.id] = now_ + rng_.Uniform(4);  // Figure 8: leaders dying before their entry commits
      }
      if (rd.soft_state) {
        Log("node " + std::to_string(n.id) + " is " + ToString(rd.soft_state->state) + " term " +
            std::to_string(n.raw->raft().term()) + " lead " + std::to_string(rd.soft_state->lead));
      }
      n.raw->Advance(rd);
      checker_.CheckLeaders(nodes_);
    }
  }

  // A crash between GetReady() and the sync: the writes of this Ready reach the disk only as a
  // prefix (snapshot, then entries, then hard state); nothing is sent or applied.
  void TornCrash(Node& n, const Ready& rd) {
    size_t kept = 0;
    bool hs = false, snap = false;
    bool ok = true;
    if (rd.snapshot) ok = snap = Chance(0.5);
    if (ok && rd.snapshot) InstallSnapshot(n, *rd.snapshot);
    if (ok) {
      kept = rng_.Uniform(rd.entries.size() + 1);
      std::vector<Entry> prefix(rd.entries.begin(), rd.entries.begin() + static_cast<std::ptrdiff_t>(kept));
      Status st = n.storage.Append(prefix);
      if (!st.ok()) return Fail("torn append: " + st.ToString());
      if (kept == rd.entries.size() && rd.hard_state && Chance(0.5)) {
        n.storage.SetHardState(*rd.hard_state);
        hs = true;
      }
    }
    if (kept > 0 || hs || snap) ++g_stats.torn_with_writes;
    Crash(n, "torn-crash (snapshot " + std::to_string(snap) + ", " + std::to_string(kept) + "/" +
                 std::to_string(rd.entries.size()) + " entries, hardstate " + std::to_string(hs) + ")");
  }

  bool InstallSnapshot(Node& n, const SnapshotMeta& meta) {
    auto it = n.received_snapshots.find(meta.index);
    if (it == n.received_snapshots.end()) {
      Fail("node " + std::to_string(n.id) + " must install snapshot " + std::to_string(meta.index) + " it never received");
      return false;
    }
    StateMachine sm = StateMachine::Decode(it->second, meta.membership);
    if (sm.index != meta.index) {
      Fail("snapshot bytes for index " + std::to_string(sm.index) + " installed as " + std::to_string(meta.index));
      return false;
    }
    if (!checker_.SnapshotMatchesApplied(sm.index, sm.hash)) return false;
    Status st = n.storage.ApplySnapshot(meta, it->second);
    if (!st.ok()) {
      Fail("install snapshot: " + st.ToString());
      return false;
    }
    n.sm = sm;
    n.received_snapshots.clear();
    ++g_stats.snapshots_installed;
    Log("node " + std::to_string(n.id) + " installed snapshot " + std::to_string(meta.index));
    return true;
  }

  void Apply(Node& n, const Entry& e) {
    if (e.index != n.sm.index + 1) {
      return Fail("node " + std::to_string(n.id) + " applies " + std::to_string(e.index) + " after " +
                  std::to_string(n.sm.index));
    }
    n.sm.hash = Mix(Mix(Mix(n.sm.hash, e.index), e.term), ContentHash(e));
    n.sm.index = e.index;
    if (e.type == EntryType::kMembership) {
      n.sm.config = e.membership;
      if (!e.membership.IsJoint() && n.id == 1) ++g_stats.joint_left;
    }
    checker_.CheckApplied(n, e);
  }

  void Send(Node& from, Message m) {
    InFlight f;
    f.seq = ++seq_;
    f.deliver_at = now_ + rng_.Uniform(p_.max_delay + 1);
    f.sender_incarnation = from.incarnation;
    if (m.type == MessageType::kSnapshot) {
      auto meta = from.storage.Snapshot();
      if (meta->index == m.snapshot->index) f.snapshot_data = from.storage.snapshot_data();
    }
    f.msg = std::move(m);
    network_.push_back(std::move(f));
  }

  bool Connected(uint64_t a, uint64_t b) {
    if (partition_.empty()) return true;
    return partition_[a] == partition_[b];
  }

  void DeliverDue() {
    std::vector<InFlight> due;
    for (size_t i = 0; i < network_.size();) {
      if (network_[i].deliver_at <= now_) {
        due.push_back(std::move(network_[i]));
        network_[i] = std::move(network_.back());
        network_.pop_back();
      } else {
        ++i;
      }
    }
    std::sort(due.begin(), due.end(), [](const InFlight& a, const InFlight& b) { return a.seq < b.seq; });
    for (size_t i = due.size(); i > 1; --i) std::swap(due[i - 1], due[rng_.Uniform(i)]);  // reorder
    for (auto& f : due) {
      if (!failure_.empty()) return;
      Deliver(f);
    }
  }

  void Deliver(InFlight& f) {
    const Message& m = f.msg;
    Node& to = N(m.to);
    const bool lost = !Connected(m.from, m.to) || (chaos_ && Chance(p_.loss)) || !to.up ||
                      (m.type == MessageType::kSnapshot && !f.snapshot_data);
    if (m.type == MessageType::kSnapshot) {
      Node& from = N(m.from);
      if (from.up && from.incarnation == f.sender_incarnation) {
        from.raw->ReportSnapshot(m.to, !lost);
        ProcessReady(from);
      }
    }
    if (lost) return;
    if (verbose_) Log("deliver " + Describe(m));
    if (m.type == MessageType::kSnapshot) to.received_snapshots[m.snapshot->index] = *f.snapshot_data;
    Status st = to.raw->Step(m);
    if (!st.ok()) return Fail("step: " + st.ToString());
    ProcessReady(to);
    if (chaos_ && Chance(p_.dup)) {
      InFlight d = f;
      d.seq = ++seq_;
      d.deliver_at = now_ + 1 + rng_.Uniform(p_.max_delay + 1);
      network_.push_back(std::move(d));
    }
  }

  // ---------------------------------------------------------------- invariants

  bool Converged() {
    Node* l = AnyLeader();
    if (!l) return false;
    const Raft& r = l->raw->raft();
    if (r.membership().IsJoint() || r.log().committed() != r.log().LastIndex()) return false;
    if (r.log().TermOrZero(r.log().committed()) != r.term()) return false;
    // Something proposed in the quiet phase must be committed and applied by every member.
    bool quiet_entry = false;
    for (uint64_t i = std::max<uint64_t>(r.log().FirstIndex(), 1); i <= r.log().committed(); ++i) {
      auto e = r.log().Slice(i, i + 1, ~0ULL);
      if (e.ok() && !e->empty() && e->front().data.rfind("quiet-", 0) == 0) quiet_entry = true;
    }
    if (!quiet_entry) return false;
    for (uint64_t id : r.membership().AllNodes()) {
      if (id > nodes_.size()) continue;
      Node& m = N(id);
      if (!m.up || m.sm.index != l->sm.index || m.sm.hash != l->sm.hash) return false;
    }
    return true;
  }

  std::string Summary() {
    std::string s;
    for (auto& n : nodes_) {
      s += "n" + std::to_string(n->id) + (n->up ? "" : "(down)");
      if (n->up) {
        const Raft& r = n->raw->raft();
        s += "{" + std::string(ToString(r.state())) + " t" + std::to_string(r.term()) + " last" +
             std::to_string(r.log().LastIndex()) + " commit" + std::to_string(r.log().committed()) + " applied" +
             std::to_string(n->sm.index) + " " + r.membership().ToString() + "} ";
      }
    }
    return s;
  }

  const uint64_t seed_;
  const bool verbose_;
  Rng rng_;
  Params p_{};
  bool chaos_ = true;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  uint64_t proposals_ = 0;
  uint64_t reads_issued_ = 0;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<InFlight> network_;
  std::map<uint64_t, int> partition_;
  std::map<uint64_t, uint64_t> kill_at_;
  std::string failure_;
  InvariantChecker checker_{[this](const std::string& why) { Fail(why); }};
};

}  // namespace
}  // namespace raftstore::raft::sim

// Runs of at least this many seeds must show every fault and feature at least once.
constexpr uint64_t kMinSeedsForCoverage = 50;

int main(int argc, char** argv) {
  using namespace raftstore::raft;
  uint64_t first = 1, count = 100;
  bool verbose = false;
  int chaos_steps = 2000, quiet_steps = 2000;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "--seed=", 7) == 0) {
      first = std::strtoull(a + 7, nullptr, 10);
      count = 1;
    } else if (std::strncmp(a, "--first=", 8) == 0) {
      first = std::strtoull(a + 8, nullptr, 10);
    } else if (std::strncmp(a, "--count=", 8) == 0) {
      count = std::strtoull(a + 8, nullptr, 10);
    } else if (std::strncmp(a, "--steps=", 8) == 0) {
      chaos_steps = std::atoi(a + 8);
    } else if (std::strcmp(a, "--verbose") == 0) {
      verbose = true;
    } else {
      std::fprintf(stderr, "usage: %s [--seed=N | --first=N --count=M] [--steps=S] [--verbose]\n", argv[0]);
      return 2;
    }
  }
  SetFatalHandler(&sim::FatalWithReplay);
  const auto start = std::chrono::steady_clock::now();
  uint64_t failures = 0, committed = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    sim::g_current_seed = seed;
    sim::Simulation s(seed, verbose);
    std::string why = s.Run(chaos_steps, quiet_steps);
    committed += s.applied_total();
    if (!why.empty()) {
      ++failures;
      std::fprintf(stderr, "FAIL seed %llu: %s\nreplay: %s --seed=%llu --verbose\n",
                   static_cast<unsigned long long>(seed), why.c_str(), argv[0],
                   static_cast<unsigned long long>(seed));
      if (failures >= 5) break;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("raft simulation: seeds %llu..%llu, %llu failed, %llu entries committed, %.1fs\n",
              static_cast<unsigned long long>(first), static_cast<unsigned long long>(first + count - 1),
              static_cast<unsigned long long>(failures), static_cast<unsigned long long>(committed), secs);
  const auto& st = sim::g_stats;
  std::printf("coverage: leaders=%llu crashes=%llu torn-writes=%llu partitions=%llu compactions=%llu "
              "snapshot-installs=%llu membership-changes=%llu joint-configs-left=%llu transfers=%llu reads=%llu "
              "commits-lost=%llu\n",
              (unsigned long long)st.leaders, (unsigned long long)st.crashes, (unsigned long long)st.torn_with_writes,
              (unsigned long long)st.partitions, (unsigned long long)st.compactions,
              (unsigned long long)st.snapshots_installed, (unsigned long long)st.memberships, (unsigned long long)st.joint_left,
              (unsigned long long)st.transfers, (unsigned long long)st.reads_ok, (unsigned long long)st.commit_lost);
  if (failures != 0) return 1;
  // The seeds must still exercise what the invariants are about: if a change to the core or to
  // this file stopped crashes, torn writes, snapshot installs, ... from happening, every seed
  // would pass without testing them. Checked over a run of many seeds only (a single --seed
  // replay may legitimately see none of some).
  if (count >= kMinSeedsForCoverage) {
    const std::pair<const char*, uint64_t> counters[] = {
        {"leaders", st.leaders},         {"crashes", st.crashes},
        {"torn-writes", st.torn_with_writes}, {"partitions", st.partitions},
        {"compactions", st.compactions}, {"snapshot-installs", st.snapshots_installed},
        {"membership-changes", st.memberships}, {"joint-configs-left", st.joint_left},
        {"transfers", st.transfers},     {"reads", st.reads_ok},
        {"commits-lost", st.commit_lost}};
    for (const auto& [name, value] : counters) {
      if (value == 0) {
        std::fprintf(stderr, "FAIL coverage: no %s in seeds %llu..%llu; the simulation no longer exercises them\n",
                     name, static_cast<unsigned long long>(first), static_cast<unsigned long long>(first + count - 1));
        return 1;
      }
    }
  }
  return 0;
}
