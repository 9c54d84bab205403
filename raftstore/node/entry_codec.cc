#include "raftstore/node/entry_codec.h"

namespace raftstore::node {

Membership ToMembership(const raft::MembershipConfig& c) {
  Membership m;
  for (const auto& cfg : c.configs) m.configs.emplace_back(cfg.begin(), cfg.end());
  auto all = c.AllNodes();
  m.nodes.assign(all.begin(), all.end());
  return m;
}

raft::MembershipConfig ToMembershipConfig(const Membership& m) {
  raft::MembershipConfig c;
  for (const auto& cfg : m.configs) c.configs.emplace_back(cfg.begin(), cfg.end());
  c.learners = m.Learners();
  return c;
}

std::string EncodeNormal(const NormalPayload& p) {
  Json body = ToJson(Payload{p})["Normal"];
  return body.dump(-1, ' ', false, Json::error_handler_t::strict);
}

Result<NormalPayload> DecodeNormal(const std::string& data) {
  Json body = Json::parse(data, nullptr, false);
  if (body.is_discarded()) return Status::Corruption("raft entry data is not valid JSON");
  Json wrapped = Json::object();
  wrapped["Normal"] = std::move(body);
  Payload p;
  RS_RETURN_IF_ERROR(FromJson(wrapped, "raft entry data", &p));
  return std::get<NormalPayload>(std::move(p));
}

static LogId IdOf(const raft::Entry& e) { return LogId{LeaderId{e.term, e.leader_node_id}, e.index}; }

Result<LogEntry> ToLogEntryChecked(const raft::Entry& e) {
  LogEntry out;
  out.log_id = IdOf(e);
  switch (e.type) {
    case raft::EntryType::kBlank: out.payload = BlankPayload{}; break;
    case raft::EntryType::kMembership: out.payload = ToMembership(e.membership); break;
    case raft::EntryType::kNormal: {
      auto n = DecodeNormal(e.data);
      if (!n.ok()) return n.status().WithContext("log entry " + std::to_string(e.index));
      out.payload = std::move(n).value();
      break;
    }
  }
  return out;
}

LogEntry ToLogEntry(const raft::Entry& e, const NormalPayload* decoded) {
  if (e.type == raft::EntryType::kNormal && decoded) return LogEntry{IdOf(e), *decoded};
  auto r = ToLogEntryChecked(e);
  return r.ok() ? std::move(r).value() : LogEntry{IdOf(e), BlankPayload{}};
}

raft::Entry ToRaftEntry(const LogEntry& e) {
  raft::Entry out;
  out.term = e.log_id.leader_id.term;
  out.leader_node_id = e.log_id.leader_id.node_id;
  out.index = e.log_id.index;
  if (std::holds_alternative<BlankPayload>(e.payload)) {
    out.type = raft::EntryType::kBlank;
  } else if (const auto* m = std::get_if<Membership>(&e.payload)) {
    out.type = raft::EntryType::kMembership;
    out.membership = ToMembershipConfig(*m);
  } else {
    out.type = raft::EntryType::kNormal;
    out.data = EncodeNormal(std::get<NormalPayload>(e.payload));
  }
  return out;
}

}  // namespace raftstore::node
