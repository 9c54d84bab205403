#include "raftstore/storage/dir_records.h"

#include <algorithm>

#include "raftstore/storage/keys.h"
#include "raftstore/storage/rocks_access.h"

namespace raftstore {

using storage_internal::GetJson;
using storage_internal::PutJsonOrDelete;

namespace {

template <typename T>
Result<std::optional<T>> Read(const RaftDir& dir, const std::string& key, const ReadView* view) {
  std::optional<T> out;
  RS_RETURN_IF_ERROR(GetJson(dir, key, &out, view));
  return out;
}

}  // namespace

Result<std::optional<uint64_t>> ReadNodeId(const RaftDir& dir) { return Read<uint64_t>(dir, keys::kNodeId, nullptr); }

Result<std::optional<LogId>> ReadLastApplied(const RaftDir& dir, const ReadView* view) {
  return Read<LogId>(dir, keys::kLastApplied, view);
}

Result<std::optional<StoredMembership>> ReadLastMembership(const RaftDir& dir, const ReadView* view) {
  return Read<StoredMembership>(dir, keys::kLastMembership, view);
}

Result<std::optional<Node>> ReadNode(const RaftDir& dir, uint64_t node_id, const ReadView* view) {
  return Read<Node>(dir, keys::NodeKey(node_id), view);
}

Status WriteNodeId(RaftDir* dir, uint64_t node_id, bool sync) {
  rocksdb::WriteBatch b;
  PutJsonOrDelete(&b, keys::kNodeId, std::optional<uint64_t>(node_id));
  return storage_internal::Write(*dir, &b, sync);
}

Status BootstrapOneNodeCluster(RaftDir* dir, uint64_t node_id) {
  rocksdb::WriteBatch b;
  PutJsonOrDelete(&b, keys::kNodeId, std::optional<uint64_t>(node_id));
  Membership m{{{node_id}}, {node_id}};
  PutJsonOrDelete(&b, keys::kLastMembership, std::optional<StoredMembership>(StoredMembership{std::nullopt, m}));
  return storage_internal::Write(*dir, &b, /*sync=*/true);
}

Status SeedCluster(RaftDir* dir, const std::vector<SeedNode>& nodes, const std::optional<LogId>& applied,
                   const Vote& vote) {
  rocksdb::WriteBatch b;
  const std::string log_start(1, keys::kPrefixLog), node_start(1, keys::kPrefixNode);
  b.DeleteRange(log_start, keys::PrefixEnd(log_start));
  b.DeleteRange(node_start, keys::PrefixEnd(node_start));
  std::vector<uint64_t> ids;
  for (const SeedNode& n : nodes) {
    PutJsonOrDelete(&b, keys::NodeKey(n.id), std::optional<Node>(n.node));
    ids.push_back(n.id);
  }
  std::sort(ids.begin(), ids.end());
  StoredMembership sm{applied, Membership{{ids}, ids}};
  PutJsonOrDelete(&b, keys::kLastMembership, std::optional<StoredMembership>(sm));
  PutJsonOrDelete(&b, keys::kPurged, applied);
  PutJsonOrDelete(&b, keys::kCommitted, applied);
  PutJsonOrDelete(&b, keys::kVote, std::optional<Vote>(vote));
  return storage_internal::Write(*dir, &b, /*sync=*/false);
}

}  // namespace raftstore
