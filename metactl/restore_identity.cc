#include "metactl/restore_identity.h"

#include <string>

#include "raftstore/backup/block_reader.h"
#include "raftstore/transfer/stream_identity.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;

namespace {

std::string IdText(std::optional<uint64_t> id) { return id ? std::to_string(*id) : "(none)"; }

}  // namespace

Result<RestoreIdentity> DescribeRestoredIdentity(raftstore::backup::ObjectStore& store,
                                                 const std::string& backup_id,
                                                 std::optional<uint64_t> id,
                                                 const std::vector<raftstore::transfer::Peer>& peers) {
  RestoreIdentity out;
  if (!peers.empty()) {
    std::string list;
    for (const auto& p : peers) {
      list += (list.empty() ? "" : ", ") + std::to_string(p.id) + " at " + p.host + ":" + std::to_string(p.port);
    }
    out.line = "the restored raft dir will be node " + IdText(id) + " of a new cluster of " +
               std::to_string(peers.size()) + " member(s): " + list;
    return out;
  }
  RS_ASSIGN_OR_RETURN(auto stream, raftstore::backup::MetadataStream::Open(store, backup_id));
  auto node = raftstore::transfer::ReadStreamIdentity(*stream);
  if (!stream->status().ok()) return stream->status();
  if (!node.ok()) return node.status().WithContext("backup " + backup_id + " metadata");
  std::optional<uint64_t> result_id = id ? id : node->node_id;
  std::string list;
  for (uint64_t m : node->members) {
    auto it = node->addresses.find(m);
    list += (list.empty() ? "" : ", ") + std::to_string(m) + " at " +
            (it == node->addresses.end() ? std::string("(no address)") : it->second);
  }
  if (list.empty()) list = "(none)";
  out.line = "the restored raft dir will be node " + IdText(result_id) +
             " with the backed-up membership: " + list;
  out.warning = "without --initial-cluster the restored node keeps the backed-up cluster's identity "
                "(node " + IdText(result_id) + ", peers " + list +
                "): started while that cluster runs, it would act as one of its members; to make a "
                "new cluster give --id N and --initial-cluster ID=HOST:PORT once per member";
  return out;
}

}  // namespace metactl
