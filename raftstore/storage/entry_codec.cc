#include "raftstore/storage/entry_codec.h"

#include <set>

#include "raftstore/storage/fast_payload_codec.h"

namespace raftstore {

namespace pb = metasrv::raft;

void MembershipToProto(const raft::MembershipConfig& c, pb::MembershipConfig* out) {
  for (const auto& cfg : c.configs) {
    auto* set = out->add_configs();
    for (uint64_t id : cfg) set->add_ids(id);
  }
  for (uint64_t id : c.learners) out->add_learners(id);
}

raft::MembershipConfig MembershipFromProto(const pb::MembershipConfig& c) {
  raft::MembershipConfig out;
  for (const auto& cfg : c.configs()) out.configs.emplace_back(cfg.ids().begin(), cfg.ids().end());
  out.learners.insert(c.learners().begin(), c.learners().end());
  return out;
}

void EntryToProto(const raft::Entry& e, pb::Entry* out) {
  out->set_term(e.term);
  out->set_index(e.index);
  out->set_leader_node_id(e.leader_node_id);
  out->set_type(static_cast<pb::EntryType>(static_cast<int>(e.type)));
  out->set_data(e.data);
  if (!e.membership.configs.empty() || !e.membership.learners.empty()) {
    MembershipToProto(e.membership, out->mutable_membership());
  }
}

Result<raft::Entry> EntryFromProto(const pb::Entry& pe, const std::string& where) {
  if (pe.type() < pb::ENTRY_BLANK || pe.type() > pb::ENTRY_MEMBERSHIP) {
    return Status::InvalidArgument("raft entry " + std::to_string(pe.index()) + " from " + where +
                                   " has unknown type " + std::to_string(static_cast<int>(pe.type())));
  }
  raft::Entry e;
  e.term = pe.term();
  e.index = pe.index();
  e.leader_node_id = pe.leader_node_id();
  e.type = static_cast<raft::EntryType>(static_cast<int>(pe.type()));
  e.data = pe.data();
  if (pe.has_membership()) e.membership = MembershipFromProto(pe.membership());
  return e;
}

namespace {

Result<pb::Entry> ParseStored(std::string_view bytes, uint64_t index, const std::string& where) {
  pb::Entry pe;
  if (!pe.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Corruption(where + ": raft log entry " + std::to_string(index) + " is not a valid stored entry");
  }
  if (pe.index() != index) {
    return Status::Corruption(where + ": the raft log entry stored at index " + std::to_string(index) +
                              " says index " + std::to_string(pe.index()));
  }
  if (pe.type() < pb::ENTRY_BLANK || pe.type() > pb::ENTRY_MEMBERSHIP) {
    return Status::Corruption(where + ": raft log entry " + std::to_string(index) + " has unknown type " +
                              std::to_string(static_cast<int>(pe.type())));
  }
  return pe;
}

}  // namespace

std::string EncodeStoredEntry(const raft::Entry& e) {
  pb::Entry pe;
  EntryToProto(e, &pe);
  return pe.SerializeAsString();
}

Result<raft::Entry> DecodeStoredEntry(std::string_view bytes, uint64_t index, const std::string& where) {
  RS_ASSIGN_OR_RETURN(pb::Entry pe, ParseStored(bytes, index, where));
  return EntryFromProto(pe, where);
}


std::string EncodeStoredLogEntry(const LogEntry& e) {
  pb::Entry pe;
  pe.set_term(e.log_id.leader_id.term);
  pe.set_index(e.log_id.index);
  pe.set_leader_node_id(e.log_id.leader_id.node_id);
  if (std::holds_alternative<BlankPayload>(e.payload)) {
    pe.set_type(pb::ENTRY_BLANK);
  } else if (const auto* m = std::get_if<Membership>(&e.payload)) {
    pe.set_type(pb::ENTRY_MEMBERSHIP);
    auto* pm = pe.mutable_membership();
    for (const auto& cfg : m->configs) pm->add_configs()->mutable_ids()->Add(cfg.begin(), cfg.end());
    for (uint64_t id : m->Learners()) pm->add_learners(id);
  } else {
    pe.set_type(pb::ENTRY_NORMAL);
    pe.set_data(EncodeNormal(std::get<NormalPayload>(e.payload)));
  }
  return pe.SerializeAsString();
}

Result<LogEntry> DecodeStoredLogEntry(std::string_view bytes, uint64_t index, const std::string& where) {
  RS_ASSIGN_OR_RETURN(pb::Entry pe, ParseStored(bytes, index, where));
  LogEntry out;
  out.log_id = LogId{LeaderId{pe.term(), pe.leader_node_id()}, pe.index()};
  if (pe.type() == pb::ENTRY_BLANK) {
    out.payload = BlankPayload{};
  } else if (pe.type() == pb::ENTRY_MEMBERSHIP) {
    Membership m;
    std::set<uint64_t> all(pe.membership().learners().begin(), pe.membership().learners().end());
    for (const auto& cfg : pe.membership().configs()) {
      m.configs.emplace_back(cfg.ids().begin(), cfg.ids().end());
      all.insert(cfg.ids().begin(), cfg.ids().end());
    }
    m.nodes.assign(all.begin(), all.end());
    out.payload = std::move(m);
  } else {
    auto n = DecodeNormal(pe.data());
    if (!n.ok()) return n.status().WithContext(where + ": raft log entry " + std::to_string(index));
    out.payload = std::move(n).value();
  }
  return out;
}

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
  std::string fast;
  if (TryEncodeFastNormal(p, &fast)) return fast;
  return EncodeNormalWithDom(p);
}

std::string EncodeNormalWithDom(const NormalPayload& p) {
  Json body = ToJson(Payload{p})["Normal"];
  return body.dump(-1, ' ', false, Json::error_handler_t::strict);
}

Result<NormalPayload> DecodeNormal(const std::string& data) {
  NormalPayload fast;
  if (TryDecodeFastNormal(data, &fast)) return fast;
  return DecodeNormalWithDom(data);
}

Result<NormalPayload> DecodeNormalWithDom(const std::string& data) {
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

}  // namespace raftstore
