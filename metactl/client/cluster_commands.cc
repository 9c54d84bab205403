#include "metactl/client/cluster_commands.h"

#include <array>
#include <iostream>

#include "metactl/client/client_flags.h"
#include "metactl/client/format.h"
#include "metactl/client/write_path_status.h"
#include "raftstore/common/endpoint_flag.h"

namespace metactl::client {
namespace {

std::string JoinIds(const google::protobuf::RepeatedField<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

class StatusCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "status", "Show a live metasrv node's status (role, leader, term, log indexes, members)");
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    auto r = CallWithRetry<metasrv::StatusReply>(flags_.Retry(), [](MetaClient& c) { return c.GetStatus(); });
    if (!r.ok()) return Fail(r.status());
    const metasrv::StatusReply& s = *r;
    if (flags_.json) {
      Json j = Json::object();
      j["id"] = s.id();
      j["raft_address"] = s.raft_address();
      j["grpc_address"] = s.grpc_address();
      j["role"] = s.role();
      j["leader_id"] = s.leader_id();
      j["term"] = s.term();
      j["last_log_index"] = s.last_log_index();
      j["last_applied"] = s.last_applied();
      j["committed"] = s.committed();
      j["purged"] = s.purged();
      j["last_snapshot"] = s.last_snapshot();
      j["snapshots_sent"] = s.snapshots_sent();
      j["snapshots_installed"] = s.snapshots_installed();
      j["voters"] = std::vector<uint64_t>(s.voters().begin(), s.voters().end());
      j["learners"] = std::vector<uint64_t>(s.learners().begin(), s.learners().end());
      j["num_keys"] = s.num_keys();
      j["data_version"] = s.data_version();
      j["binary_version"] = s.binary_version();
      AddWritePathJson(s, &j);
      std::cout << DumpJson(j) << '\n';
    } else {
      std::cout << "id:             " << s.id() << '\n'
                << "raft_address:   " << s.raft_address() << '\n'
                << "grpc_address:   " << s.grpc_address() << '\n'
                << "role:           " << s.role() << '\n'
                << "leader_id:      " << s.leader_id() << (s.leader_id() == 0 ? " (unknown)" : "")
                << '\n'
                << "term:           " << s.term() << '\n'
                << "last_log_index: " << s.last_log_index() << '\n'
                << "last_applied:   " << s.last_applied() << '\n'
                << "committed:      " << s.committed() << '\n'
                << "purged:         " << s.purged() << '\n'
                << "last_snapshot:  " << s.last_snapshot() << '\n'
                << "snapshots:      " << s.snapshots_sent() << " sent, " << s.snapshots_installed() << " installed\n"
                << "voters:         " << JoinIds(s.voters()) << '\n'
                << "learners:       " << JoinIds(s.learners()) << '\n'
                << "num_keys:       " << s.num_keys() << '\n'
                << "data_version:   " << s.data_version() << '\n'
                << "binary_version: " << s.binary_version() << '\n';
      PrintWritePath(s, std::cout);
    }
    std::cout.flush();
    return std::cout ? kExitOk : Fail(raftstore::Status::IOError("status: writing stdout failed"));
  }

 private:
  ClientFlags flags_;
};

void PrintChange(const ClientFlags& flags, const char* what, uint64_t id, const metasrv::MembershipChangeReply& r) {
  if (flags.json) {
    Json j = Json::object();
    j["id"] = id;
    j["voters"] = std::vector<uint64_t>(r.voters().begin(), r.voters().end());
    j["learners"] = std::vector<uint64_t>(r.learners().begin(), r.learners().end());
    j["log_index"] = r.log_index();
    std::cout << DumpJson(j) << '\n';
  } else {
    std::cout << what << " node " << id << "; voters: " << JoinIds(r.voters())
              << "; learners: " << JoinIds(r.learners()) << " (committed at log index " << r.log_index()
              << ")\n";
  }
  std::cout.flush();
}

// `metactl members` lists; `metactl members add ...` / `metactl members remove ...` change.
class MembersCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "members", "List the members of a live cluster (id, name, voter or learner, addresses); "
                   "`members add` / `members remove` change them");
    flags_.Add(cmd);
    cmd->require_subcommand(0, 1);
    add_ = cmd->add_subcommand(
        "add", "Add a node (a learner with --learner, else a voter; an existing learner is promoted); "
               "waits until the new configuration is committed");
    add_->add_option("--id", add_id_, "the node's id")->required();
    add_->add_option("--raft-address", add_raft_, "the node's peer address HOST:PORT")
        ->check(raftstore::HostPortFlag());
    add_->add_option("--grpc-address", add_grpc_, "the node's client address HOST:PORT")
        ->check(raftstore::HostPortFlag());
    add_->add_flag("--learner", add_learner_, "add as a learner (no vote)");
    add_flags_.Add(add_);
    remove_ = cmd->add_subcommand(
        "remove", "Remove a voter or learner (not the leader: transfer leadership first); "
                  "waits until the configuration without it is committed");
    remove_->add_option("--id", remove_id_, "the node's id")->required();
    remove_flags_.Add(remove_);
    return cmd;
  }

  int Run() override {
    // `members --grpc-api-address A add ...` works too: the parent's connection flags are the
    // fallback of the subcommand's.
    for (ClientFlags* sub : {&add_flags_, &remove_flags_}) {
      if (sub->addrs.empty()) sub->addrs = flags_.addrs;
      sub->json = sub->json || flags_.json;
    }
    if (add_->parsed()) return RunAdd();
    if (remove_->parsed()) return RunRemove();
    return RunList();
  }

 private:
  int RunAdd() {
    metasrv::AddMemberRequest req;
    req.set_id(add_id_);
    req.set_raft_address(add_raft_);
    req.set_grpc_address(add_grpc_);
    req.set_learner(add_learner_);
    auto r = CallWithRetry<metasrv::MembershipChangeReply>(add_flags_.Retry(),
                                                           [&](MetaClient& c) { return c.AddMember(req); });
    if (!r.ok()) return Fail(r.status());
    PrintChange(add_flags_, add_learner_ ? "added learner" : "added voter", add_id_, *r);
    return std::cout ? kExitOk : Fail(raftstore::Status::IOError("members add: writing stdout failed"));
  }

  int RunRemove() {
    auto r = CallWithRetry<metasrv::MembershipChangeReply>(remove_flags_.Retry(),
                                                           [&](MetaClient& c) { return c.RemoveMember(remove_id_); });
    if (!r.ok()) return Fail(r.status());
    PrintChange(remove_flags_, "removed", remove_id_, *r);
    return std::cout ? kExitOk : Fail(raftstore::Status::IOError("members remove: writing stdout failed"));
  }

  int RunList() {
    auto r = CallWithRetry<metasrv::MemberListReply>(flags_.Retry(), [](MetaClient& c) { return c.MemberList(); });
    if (!r.ok()) return Fail(r.status());
    if (flags_.json) {
      Json members = Json::array();
      for (const auto& m : r->members()) {
        Json j = Json::object();
        j["id"] = m.id();
        j["name"] = m.name();
        j["raft_address"] = m.raft_address();
        j["grpc_address"] = m.grpc_address();
        j["voter"] = m.voter();
        members.push_back(std::move(j));
      }
      Json out = Json::object();
      out["members"] = std::move(members);
      std::cout << DumpJson(out) << '\n';
    } else {
      // Columns padded to the widest cell.
      std::vector<std::array<std::string, 5>> rows;
      rows.push_back({"ID", "NAME", "ROLE", "RAFT_ADDRESS", "GRPC_ADDRESS"});
      for (const auto& m : r->members()) {
        rows.push_back({std::to_string(m.id()), m.name(), m.voter() ? "voter" : "learner",
                        m.raft_address(), m.grpc_address()});
      }
      std::array<size_t, 5> width{};
      for (const auto& row : rows)
        for (size_t i = 0; i < 5; ++i) width[i] = std::max(width[i], row[i].size());
      for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < 5; ++i) {
          line += row[i];
          if (i + 1 < 5) line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::cout << line << '\n';
      }
    }
    std::cout.flush();
    return std::cout ? kExitOk : Fail(raftstore::Status::IOError("members: writing stdout failed"));
  }

  ClientFlags flags_, add_flags_, remove_flags_;
  CLI::App* add_ = nullptr;
  CLI::App* remove_ = nullptr;
  uint64_t add_id_ = 0, remove_id_ = 0;
  std::string add_raft_, add_grpc_;
  bool add_learner_ = false;
};

// `metactl transfer-leader [--to N]`.
class TransferLeaderCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "transfer-leader", "Move leadership to voter --to N (default: the leader picks the most up-to-date "
                           "other voter); waits until the node asked sees the new leader");
    cmd->add_option("--to", to_, "the voter to lead (0 or absent: let the leader pick)");
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    auto r = CallWithRetry<metasrv::TransferLeaderReply>(flags_.Retry(),
                                                         [&](MetaClient& c) { return c.TransferLeader(to_); });
    if (!r.ok()) return Fail(r.status());
    if (flags_.json) {
      Json j = Json::object();
      j["leader_id"] = r->leader_id();
      j["term"] = r->term();
      std::cout << DumpJson(j) << '\n';
    } else {
      std::cout << "leader is now node " << r->leader_id() << " (term " << r->term() << ")\n";
    }
    std::cout.flush();
    return std::cout ? kExitOk : Fail(raftstore::Status::IOError("transfer-leader: writing stdout failed"));
  }

 private:
  ClientFlags flags_;
  uint64_t to_ = 0;
};

// `metactl trigger-snapshot`: every node named by --grpc-api-address snapshots its state
// machine and purges its log up to its applied index (each node keeps its own log, so this is
// per node, not forwarded to the leader).
class TriggerSnapshotCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "trigger-snapshot", "Snapshot each node given by --grpc-api-address now: its log is purged up to its "
                            "applied index (followers that need purged entries are sent the snapshot)");
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    std::vector<std::string> addrs = flags_.addrs;
    if (addrs.empty()) addrs.push_back(kDefaultAddress);
    Json all = Json::array();
    int rc = kExitOk;
    for (const std::string& addr : addrs) {
      ClientFlags one = flags_;
      one.addrs = {addr};  // this node's own log: the retries stay on it
      auto r = CallWithRetry<metasrv::TriggerSnapshotReply>(one.Retry(), [](MetaClient& c) { return c.TriggerSnapshot(); });
      if (!r.ok()) {
        rc = Fail(r.status());
        continue;
      }
      if (flags_.json) {
        Json j = Json::object();
        j["address"] = addr;
        j["id"] = r->id();
        j["snapshot_index"] = r->snapshot_index();
        j["purged"] = r->purged();
        j["last_log_index"] = r->last_log_index();
        all.push_back(std::move(j));
      } else {
        std::cout << "node " << r->id() << " (" << addr << "): snapshot at index " << r->snapshot_index()
                  << "; log purged up to " << r->purged() << " (last log index " << r->last_log_index() << ")\n";
      }
    }
    if (flags_.json) std::cout << DumpJson(all) << '\n';
    std::cout.flush();
    if (!std::cout) return Fail(raftstore::Status::IOError("trigger-snapshot: writing stdout failed"));
    return rc;
  }

 private:
  ClientFlags flags_;
};

}  // namespace

std::vector<std::unique_ptr<Command>> ClusterCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<StatusCommand>());
  all.push_back(std::make_unique<MembersCommand>());
  all.push_back(std::make_unique<TransferLeaderCommand>());
  all.push_back(std::make_unique<TriggerSnapshotCommand>());
  return all;
}

}  // namespace metactl::client
