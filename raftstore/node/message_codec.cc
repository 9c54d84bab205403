#include "raftstore/node/message_codec.h"

namespace raftstore::node {

namespace {

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

}  // namespace

void ToProto(const raft::Message& m, pb::Message* out) {
  out->set_type(static_cast<pb::MessageType>(static_cast<int>(m.type)));
  out->set_from(m.from);
  out->set_to(m.to);
  out->set_term(m.term);
  out->set_log_term(m.log_term);
  out->set_index(m.index);
  for (const raft::Entry& e : m.entries) {
    auto* pe = out->add_entries();
    pe->set_term(e.term);
    pe->set_index(e.index);
    pe->set_leader_node_id(e.leader_node_id);
    pe->set_type(static_cast<pb::EntryType>(static_cast<int>(e.type)));
    pe->set_data(e.data);
    if (!e.membership.configs.empty() || !e.membership.learners.empty()) {
      MembershipToProto(e.membership, pe->mutable_membership());
    }
  }
  out->set_commit(m.commit);
  out->set_reject(m.reject);
  out->set_reject_hint(m.reject_hint);
  if (m.snapshot) {
    auto* s = out->mutable_snapshot();
    s->set_index(m.snapshot->index);
    s->set_term(m.snapshot->term);
    MembershipToProto(m.snapshot->membership, s->mutable_membership());
  }
  out->set_context(m.context);
  out->set_transfer(m.transfer);
}

Result<raft::Message> FromProto(const pb::Message& m) {
  if (m.type() < pb::MSG_APPEND || m.type() > pb::MSG_READ_INDEX_RESP) {
    return Status::InvalidArgument("raft message of unknown type " + std::to_string(static_cast<int>(m.type())) +
                                   " from node " + std::to_string(m.from()));
  }
  raft::Message out;
  out.type = static_cast<raft::MessageType>(static_cast<int>(m.type()));
  out.from = m.from();
  out.to = m.to();
  out.term = m.term();
  out.log_term = m.log_term();
  out.index = m.index();
  out.entries.reserve(static_cast<size_t>(m.entries_size()));
  for (const auto& pe : m.entries()) {
    if (pe.type() < pb::ENTRY_BLANK || pe.type() > pb::ENTRY_MEMBERSHIP) {
      return Status::InvalidArgument("raft entry " + std::to_string(pe.index()) + " from node " +
                                     std::to_string(m.from()) + " has unknown type " +
                                     std::to_string(static_cast<int>(pe.type())));
    }
    raft::Entry e;
    e.term = pe.term();
    e.index = pe.index();
    e.leader_node_id = pe.leader_node_id();
    e.type = static_cast<raft::EntryType>(static_cast<int>(pe.type()));
    e.data = pe.data();
    if (pe.has_membership()) e.membership = MembershipFromProto(pe.membership());
    out.entries.push_back(std::move(e));
  }
  out.commit = m.commit();
  out.reject = m.reject();
  out.reject_hint = m.reject_hint();
  if (m.has_snapshot()) {
    raft::SnapshotMeta s;
    s.index = m.snapshot().index();
    s.term = m.snapshot().term();
    s.membership = MembershipFromProto(m.snapshot().membership());
    out.snapshot = std::move(s);
  }
  out.context = m.context();
  out.transfer = m.transfer();
  return out;
}

}  // namespace raftstore::node
