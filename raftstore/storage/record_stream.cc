#include "raftstore/storage/record_stream.h"

#include <memory>

#include "raftstore/codec/line_codec.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/kv_value.h"

namespace raftstore {
namespace {

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::strict); }

template <typename T>
void PutOrDelete(rocksdb::WriteBatch* b, const std::string& key, const std::optional<T>& v) {
  if (v) b->Put(key, Dump(ToJson(*v)));
  else b->Delete(key);
}

// Iterates the keys that start with `prefix`, calling fn(key_suffix, value).
template <typename F>
Status ScanPrefix(const RaftDir& dir, const rocksdb::Snapshot* snap, char prefix, F fn) {
  std::string start(1, prefix);
  std::string end = keys::PrefixEnd(start);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  ro.iterate_upper_bound = &upper;
  ro.fill_cache = false;  // a full scan would evict what a running server needs
  std::unique_ptr<rocksdb::Iterator> it(dir.db()->NewIterator(ro));
  for (it->Seek(start); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    rocksdb::Slice v = it->value();
    RS_RETURN_IF_ERROR(fn(std::string_view(k.data() + 1, k.size() - 1), std::string_view(v.data(), v.size())));
  }
  return FromRocks(it->status(), "scan raft dir " + dir.path());
}

Status ParseJson(const RaftDir& dir, std::string_view raw, const std::string& what, Json* out) {
  *out = Json::parse(raw.begin(), raw.end(), nullptr, false);
  if (out->is_discarded()) return Status::Corruption(dir.path() + ": stored " + what + " is not valid JSON");
  return Status::OK();
}

template <typename T>
Status DecodeStored(const RaftDir& dir, std::string_view raw, const std::string& what, T* out) {
  Json j;
  RS_RETURN_IF_ERROR(ParseJson(dir, raw, what, &j));
  return FromJson(j, dir.path() + ": stored " + what, out);
}

Status EmitRaftState(const RaftDir& dir, const rocksdb::Snapshot* snap, const RecordVisitor& visit) {
  NodeIdRec node_id;
  RS_RETURN_IF_ERROR(dir.GetJson(keys::kNodeId, &node_id.node_id, snap));
  RS_RETURN_IF_ERROR(visit(Record{kTreeRaftLog, node_id}));
  VoteRec vote;
  RS_RETURN_IF_ERROR(dir.GetJson(keys::kVote, &vote.vote, snap));
  RS_RETURN_IF_ERROR(visit(Record{kTreeRaftLog, vote}));
  CommittedRec committed;
  RS_RETURN_IF_ERROR(dir.GetJson(keys::kCommitted, &committed.log_id, snap));
  RS_RETURN_IF_ERROR(visit(Record{kTreeRaftLog, committed}));
  PurgedRec purged;
  RS_RETURN_IF_ERROR(dir.GetJson(keys::kPurged, &purged.log_id, snap));
  return visit(Record{kTreeRaftLog, purged});
}

Status EmitLog(const RaftDir& dir, const rocksdb::Snapshot* snap, const RecordVisitor& visit) {
  return ScanPrefix(dir, snap, keys::kPrefixLog, [&](std::string_view k, std::string_view v) {
    LogEntryRec r;
    uint64_t index = k.size() == 8 ? keys::ReadBigEndian64(k) : 0;
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "log entry " + std::to_string(index), &r.entry));
    return visit(Record{kTreeRaftLog, std::move(r)});
  });
}

Status EmitStateMachine(const RaftDir& dir, const rocksdb::Snapshot* snap, const RecordVisitor& visit) {
  RS_RETURN_IF_ERROR(ScanPrefix(dir, snap, keys::kPrefixSequence, [&](std::string_view k, std::string_view v) {
    SequenceRec r{std::string(k), 0};
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "sequence " + r.name, &r.value));
    return visit(Record{kTreeStateMachine, std::move(r)});
  }));
  std::optional<LogId> last_applied;
  RS_RETURN_IF_ERROR(dir.GetJson(keys::kLastApplied, &last_applied, snap));
  if (last_applied) RS_RETURN_IF_ERROR(visit(Record{kTreeStateMachine, LastAppliedRec{last_applied}}));
  std::optional<StoredMembership> membership;
  RS_RETURN_IF_ERROR(dir.GetJson(keys::kLastMembership, &membership, snap));
  if (membership) RS_RETURN_IF_ERROR(visit(Record{kTreeStateMachine, LastMembershipRec{*membership}}));
  RS_RETURN_IF_ERROR(ScanPrefix(dir, snap, keys::kPrefixNode, [&](std::string_view k, std::string_view v) {
    NodeRec r;
    r.node_id = keys::ReadBigEndian64(k);
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "node " + std::to_string(r.node_id), &r.node));
    return visit(Record{kTreeStateMachine, std::move(r)});
  }));
  RS_RETURN_IF_ERROR(ScanPrefix(dir, snap, keys::kPrefixExpire, [&](std::string_view k, std::string_view v) {
    ExpireRec r;
    r.key.time_ms = keys::ReadBigEndian64(k);
    r.key.seq = keys::ReadBigEndian64(k.substr(8));
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "expire index entry", &r.value));
    return visit(Record{kTreeStateMachine, std::move(r)});
  }));
  return ScanPrefix(dir, snap, keys::kPrefixKv, [&](std::string_view k, std::string_view v) {
    KvRec r;
    r.key = std::string(k);
    Status st = DecodeSeqV(v, &r.value);
    if (!st.ok()) return st.WithContext(dir.path() + ": key \"" + r.key + "\"");
    return visit(Record{kTreeStateMachine, std::move(r)});
  });
}

}  // namespace

Status ForEachRecord(const RaftDir& dir, const rocksdb::Snapshot* snapshot, const RecordVisitor& visit) {
  const rocksdb::Snapshot* own = nullptr;
  if (snapshot == nullptr) snapshot = own = dir.db()->GetSnapshot();
  std::string marker;
  bool installing = false;
  Status st = dir.Get(keys::kSnapshotInstall, &marker, &installing, snapshot);
  if (st.ok() && installing) {
    st = Status::Busy("raft dir " + dir.path() + " holds an interrupted snapshot install (" + marker +
                      "): start metasrv on it once to finish the install, then export");
  }
  if (st.ok()) st = visit(MakeHeader());
  if (st.ok()) st = EmitRaftState(dir, snapshot, visit);
  if (st.ok()) st = EmitLog(dir, snapshot, visit);
  if (st.ok()) st = EmitStateMachine(dir, snapshot, visit);
  if (own) dir.db()->ReleaseSnapshot(own);
  return st;
}

void PutRecord(rocksdb::WriteBatch* b, const Record& record) {
  struct V {
    rocksdb::WriteBatch* b;
    void operator()(const HeaderRec&) const {}
    void operator()(const FooterRec&) const {}
    void operator()(const ObsoleteRec&) const {}
    void operator()(const NodeIdRec& r) const { PutOrDelete(b, keys::kNodeId, r.node_id); }
    void operator()(const VoteRec& r) const { PutOrDelete(b, keys::kVote, r.vote); }
    void operator()(const CommittedRec& r) const { PutOrDelete(b, keys::kCommitted, r.log_id); }
    void operator()(const PurgedRec& r) const { PutOrDelete(b, keys::kPurged, r.log_id); }
    void operator()(const LogEntryRec& r) const { b->Put(keys::LogKey(r.entry.log_id.index), Dump(ToJson(r.entry))); }
    void operator()(const SequenceRec& r) const { b->Put(keys::SequenceKey(r.name), std::to_string(r.value)); }
    void operator()(const LastAppliedRec& r) const { PutOrDelete(b, keys::kLastApplied, r.log_id); }
    void operator()(const LastMembershipRec& r) const { b->Put(keys::kLastMembership, Dump(ToJson(r.membership))); }
    void operator()(const NodeRec& r) const { b->Put(keys::NodeKey(r.node_id), Dump(ToJson(r.node))); }
    void operator()(const ExpireRec& r) const { b->Put(keys::ExpireKey(r.key.time_ms, r.key.seq), Dump(ToJson(r.value))); }
    void operator()(const KvRec& r) const { b->Put(keys::KvKey(r.key), EncodeSeqV(r.value)); }
  };
  std::visit(V{b}, record.body);
}

}  // namespace raftstore
