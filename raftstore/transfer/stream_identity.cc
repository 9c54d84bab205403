#include "raftstore/transfer/stream_identity.h"

#include "raftstore/export_format/export_stream.h"

namespace raftstore::transfer {

Result<StreamIdentity> ReadStreamIdentity(std::istream& in) {
  StreamIdentity id;
  ExportStreamReader reader;
  std::string line;
  while (std::getline(in, line)) {
    Record rec;
    // getline sets eof only when the last line had no '\n'.
    RS_ASSIGN_OR_RETURN(auto kind, reader.Next(line, &rec, !in.eof()));
    if (kind == ExportStreamReader::LineKind::kFooter) break;
    if (std::holds_alternative<KvRec>(rec.body) || std::holds_alternative<ExpireRec>(rec.body)) break;
    if (auto* n = std::get_if<NodeIdRec>(&rec.body)) id.node_id = n->node_id;
    if (auto* m = std::get_if<LastMembershipRec>(&rec.body)) id.members = m->membership.membership.nodes;
    if (auto* node = std::get_if<NodeRec>(&rec.body)) {
      id.addresses[node->node_id] = node->node.endpoint.addr + ":" + std::to_string(node->node.endpoint.port);
    }
  }
  if (in.bad()) return Status::IOError("read failed after line " + std::to_string(reader.lines()));
  return id;
}

}  // namespace raftstore::transfer
