#include "raftstore/storage/record_stream.h"

#include <memory>

#include "raftstore/export_format/line_codec.h"
#include "raftstore/storage/bulk_ingest.h"
#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/kv_value.h"
#include "raftstore/storage/rocks_access.h"

namespace raftstore {

using storage_internal::GetJson;
using storage_internal::JsonText;
using storage_internal::PutJsonOrDelete;

namespace {

// Iterates the keys that start with `prefix` at `view`, calling fn(key_suffix, value) until it
// returns an error.
template <typename F>
Status ScanPrefix(const RaftDir& dir, const ReadView* view, char prefix, F fn) {
  const std::string start(1, prefix);
  Status inner;
  RS_RETURN_IF_ERROR(storage_internal::ScanRange(
      dir, view, start, keys::PrefixEnd(start),
      [&](std::string_view k, std::string_view v) {
        inner = fn(k.substr(1), v);
        return inner.ok();
      },
      /*fill_cache=*/false));
  return inner;
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

Status EmitRaftState(const RaftDir& dir, const ReadView* snap, const RecordVisitor& visit) {
  NodeIdRec node_id;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kNodeId, &node_id.node_id, snap));
  RS_RETURN_IF_ERROR(visit(Record{kTreeRaftLog, node_id}));
  VoteRec vote;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kVote, &vote.vote, snap));
  RS_RETURN_IF_ERROR(visit(Record{kTreeRaftLog, vote}));
  CommittedRec committed;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kCommitted, &committed.log_id, snap));
  RS_RETURN_IF_ERROR(visit(Record{kTreeRaftLog, committed}));
  PurgedRec purged;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kPurged, &purged.log_id, snap));
  return visit(Record{kTreeRaftLog, purged});
}

Status EmitLog(const RaftDir& dir, const ReadView* snap, const RecordVisitor& visit) {
  return ScanPrefix(dir, snap, keys::kPrefixLog, [&](std::string_view k, std::string_view v) {
    const uint64_t index = k.size() == 8 ? keys::ReadBigEndian64(k) : 0;
    RS_ASSIGN_OR_RETURN(LogEntry entry, DecodeStoredLogEntry(v, index, dir.path()));
    return visit(Record{kTreeRaftLog, LogEntryRec{std::move(entry)}});
  });
}

Status EmitExpire(const RaftDir& dir, const ReadView* snap, const RecordVisitor& visit) {
  return ScanPrefix(dir, snap, keys::kPrefixExpire, [&](std::string_view k, std::string_view v) {
    ExpireRec r;
    r.key.time_ms = keys::ReadBigEndian64(k);
    r.key.seq = keys::ReadBigEndian64(k.substr(8));
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "expire index entry", &r.value));
    return visit(Record{kTreeStateMachine, std::move(r)});
  });
}

Status EmitStateMachine(const RaftDir& dir, const ReadView* snap, const RecordVisitor& visit) {
  RS_RETURN_IF_ERROR(ScanPrefix(dir, snap, keys::kPrefixSequence, [&](std::string_view k, std::string_view v) {
    SequenceRec r{std::string(k), 0};
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "sequence " + r.name, &r.value));
    return visit(Record{kTreeStateMachine, std::move(r)});
  }));
  std::optional<LogId> last_applied;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kLastApplied, &last_applied, snap));
  if (last_applied) RS_RETURN_IF_ERROR(visit(Record{kTreeStateMachine, LastAppliedRec{last_applied}}));
  std::optional<StoredMembership> membership;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kLastMembership, &membership, snap));
  if (membership) RS_RETURN_IF_ERROR(visit(Record{kTreeStateMachine, LastMembershipRec{*membership}}));
  RS_RETURN_IF_ERROR(ScanPrefix(dir, snap, keys::kPrefixNode, [&](std::string_view k, std::string_view v) {
    NodeRec r;
    r.node_id = keys::ReadBigEndian64(k);
    RS_RETURN_IF_ERROR(DecodeStored(dir, v, "node " + std::to_string(r.node_id), &r.node));
    return visit(Record{kTreeStateMachine, std::move(r)});
  }));
  RS_RETURN_IF_ERROR(EmitExpire(dir, snap, visit));
  // One record for every key: its strings keep their memory from key to key (a new record per
  // key was two allocations and two frees per key, a tenth of an export's reading thread).
  Record rec{kTreeStateMachine, KvRec{}};
  KvRec& r = std::get<KvRec>(rec.body);
  return ScanPrefix(dir, snap, keys::kPrefixKv, [&](std::string_view k, std::string_view v) {
    r.key.assign(k);
    Status st = DecodeSeqV(v, &r.value);
    if (!st.ok()) return st.WithContext(dir.path() + ": key \"" + r.key + "\"");
    return visit(rec);
  });
}

}  // namespace

Status ForEachRecord(const RaftDir& dir, const ReadView* view, const RecordVisitor& visit) {
  std::shared_ptr<const ReadView> own;
  if (view == nullptr) {
    own = dir.NewReadView();
    view = own.get();
  }
  RS_ASSIGN_OR_RETURN(std::optional<std::string> marker, storage_internal::Get(dir, keys::kSnapshotInstall, view));
  if (marker) {
    return Status::Busy("raft dir " + dir.path() + " holds an interrupted snapshot install (" + *marker +
                        "): start metasrv on it once to finish the install, then export");
  }
  RS_RETURN_IF_ERROR(visit(MakeHeader()));
  RS_RETURN_IF_ERROR(EmitRaftState(dir, view, visit));
  RS_RETURN_IF_ERROR(EmitLog(dir, view, visit));
  return EmitStateMachine(dir, view, visit);
}

Result<bool> HoldsRecordKey(const RaftDir& dir, const Record& record) {
  std::string key;
  if (const auto* kv = std::get_if<KvRec>(&record.body)) key = keys::KvKey(kv->key);
  else if (const auto* n = std::get_if<NodeRec>(&record.body)) key = keys::NodeKey(n->node_id);
  else if (const auto* x = std::get_if<ExpireRec>(&record.body)) key = keys::ExpireKey(x->key.time_ms, x->key.seq);
  else if (const auto* s = std::get_if<SequenceRec>(&record.body)) key = keys::SequenceKey(s->name);
  else return false;
  RS_ASSIGN_OR_RETURN(std::optional<std::string> v, storage_internal::Get(dir, key));
  return v.has_value();
}

Status ForEachExpireRecord(const RaftDir& dir, const RecordVisitor& visit) {
  return EmitExpire(dir, nullptr, visit);
}

// Routes each put to the sorted table files when they take it (bulk-load dirs), else to the batch.
struct RecordWriter::Batch {
  rocksdb::WriteBatch b;
  std::unique_ptr<BulkIngest> ingest;  // bulk-load dirs only, until the first Flush()
  Status error;                         // the first failed table-file write

  void Put(const std::string& key, const std::string& value) {
    if (ingest != nullptr && error.ok()) {
      Result<bool> taken = ingest->Put(key, value);
      if (!taken.ok()) error = taken.status();
      if (!taken.ok() || *taken) return;
    }
    b.Put(key, value);
  }

  void operator()(const HeaderRec&) {}
  void operator()(const FooterRec&) {}
  void operator()(const ObsoleteRec&) {}
  void operator()(const NodeIdRec& r) { PutJsonOrDelete(&b, keys::kNodeId, r.node_id); }
  void operator()(const VoteRec& r) { PutJsonOrDelete(&b, keys::kVote, r.vote); }
  void operator()(const CommittedRec& r) { PutJsonOrDelete(&b, keys::kCommitted, r.log_id); }
  void operator()(const PurgedRec& r) { PutJsonOrDelete(&b, keys::kPurged, r.log_id); }
  void operator()(const LogEntryRec& r) { Put(keys::LogKey(r.entry.log_id.index), EncodeStoredLogEntry(r.entry)); }
  void operator()(const SequenceRec& r) { Put(keys::SequenceKey(r.name), std::to_string(r.value)); }
  void operator()(const LastAppliedRec& r) { PutJsonOrDelete(&b, keys::kLastApplied, r.log_id); }
  void operator()(const LastMembershipRec& r) { Put(keys::kLastMembership, JsonText(ToJson(r.membership))); }
  void operator()(const NodeRec& r) { Put(keys::NodeKey(r.node_id), JsonText(ToJson(r.node))); }
  void operator()(const ExpireRec& r) { Put(keys::ExpireKey(r.key.time_ms, r.key.seq), JsonText(ToJson(r.value))); }
  void operator()(const KvRec& r) { Put(keys::KvKey(r.key), EncodeSeqV(r.value)); }
};

RecordWriter::RecordWriter(RaftDir* dir, size_t batch_bytes)
    : dir_(dir), batch_bytes_(batch_bytes), batch_(std::make_unique<Batch>()) {
  if (storage_internal::Access::BulkLoad(*dir)) batch_->ingest = std::make_unique<BulkIngest>(dir);
}

RecordWriter::~RecordWriter() = default;

Status RecordWriter::Add(const Record& record) {
  std::visit(*batch_, record.body);
  RS_RETURN_IF_ERROR(batch_->error);
  if (batch_->b.GetDataSize() >= batch_bytes_) return WritePending();
  return Status::OK();
}

Status RecordWriter::Flush() {
  RS_RETURN_IF_ERROR(WritePending());
  if (batch_->ingest == nullptr) return Status::OK();
  Status st = batch_->ingest->Ingest();
  batch_->ingest.reset();  // from now on, batches only (see the header)
  return st;
}

Status RecordWriter::WritePending() {
  if (batch_->b.Count() == 0) return Status::OK();
  Status st = storage_internal::Write(*dir_, &batch_->b, /*sync=*/false);
  // Clear() keeps the buffer: after a batch that one large value made large, take a new one so
  // the value's memory is not held for the rest of the import.
  if (batch_->b.GetDataSize() > 2 * batch_bytes_) batch_->b = rocksdb::WriteBatch();
  else batch_->b.Clear();
  return st;
}

}  // namespace raftstore
