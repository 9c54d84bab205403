#include "raftstore/node/message_codec.h"

#include "raftstore/storage/entry_codec.h"

namespace raftstore::node {

namespace pb = metasrv::raft;

void ToProto(const raft::Message& m, pb::Message* out) {
  out->set_type(static_cast<pb::MessageType>(static_cast<int>(m.type)));
  out->set_from(m.from);
  out->set_to(m.to);
  out->set_term(m.term);
  out->set_log_term(m.log_term);
  out->set_index(m.index);
  for (const raft::Entry& e : m.entries) EntryToProto(e, out->add_entries());
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
    auto e = EntryFromProto(pe, "node " + std::to_string(m.from()));
    if (!e.ok()) return e.status();
    out.entries.push_back(std::move(e).value());
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
