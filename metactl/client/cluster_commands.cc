#include "metactl/client/cluster_commands.h"

#include <array>
#include <iostream>

#include "metactl/client/client_flags.h"
#include "metactl/client/format.h"

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
    auto client = flags_.Connect();
    if (!client.ok()) return Fail(client.status());
    auto r = (*client)->GetStatus();
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
      j["voters"] = std::vector<uint64_t>(s.voters().begin(), s.voters().end());
      j["learners"] = std::vector<uint64_t>(s.learners().begin(), s.learners().end());
      j["num_keys"] = s.num_keys();
      j["data_version"] = s.data_version();
      j["binary_version"] = s.binary_version();
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
                << "voters:         " << JoinIds(s.voters()) << '\n'
                << "learners:       " << JoinIds(s.learners()) << '\n'
                << "num_keys:       " << s.num_keys() << '\n'
                << "data_version:   " << s.data_version() << '\n'
                << "binary_version: " << s.binary_version() << '\n';
    }
    std::cout.flush();
    return std::cout ? kExitOk : Fail(raftstore::Status::IOError("status: writing stdout failed"));
  }

 private:
  ClientFlags flags_;
};

class MembersCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "members", "List the members of a live cluster (id, name, voter or learner, addresses)");
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    auto client = flags_.Connect();
    if (!client.ok()) return Fail(client.status());
    auto r = (*client)->MemberList();
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

 private:
  ClientFlags flags_;
};

}  // namespace

std::vector<std::unique_ptr<Command>> ClusterCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<StatusCommand>());
  all.push_back(std::make_unique<MembersCommand>());
  return all;
}

}  // namespace metactl::client
