#include "raftstore/storage/sm_store.h"

#include <limits>

#include <rocksdb/utilities/write_batch_with_index.h>

#include "raftstore/common/parse_number.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/kv_value.h"
#include "raftstore/storage/rocks_access.h"

namespace raftstore {

using storage_internal::Access;

namespace {

Status DecodeKv(const RaftDir& dir, std::string_view key, std::string_view raw, SeqV* out) {
  Status st = DecodeSeqV(raw, out);
  if (!st.ok()) return st.WithContext(dir.path() + ": key \"" + std::string(key) + "\"");
  return Status::OK();
}

// Runs fn over K-prefixed pairs, decoding values; stops on fn false or a decode error.
template <typename Scan>
Status VisitKv(const RaftDir& dir, Scan scan, const KvVisitor& fn) {
  Status inner;
  RS_RETURN_IF_ERROR(scan([&](std::string_view k, std::string_view v) {
    const std::string_view key = k.substr(1);
    SeqV sv;
    inner = DecodeKv(dir, key, v, &sv);
    return inner.ok() && fn(key, sv);
  }));
  return inner;
}

}  // namespace

Result<std::optional<SeqV>> ReadKv(const RaftDir& dir, std::string_view key, const ReadView* view) {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> raw, storage_internal::Get(dir, keys::KvKey(key), view));
  if (!raw) return std::optional<SeqV>();
  SeqV v;
  RS_RETURN_IF_ERROR(DecodeKv(dir, key, *raw, &v));
  return std::optional<SeqV>(std::move(v));
}

Status ScanKv(const RaftDir& dir, std::string_view prefix, const ReadView* view, const KvVisitor& fn) {
  const std::string start = keys::KvKey(prefix);
  return VisitKv(
      dir, [&](auto f) { return storage_internal::ScanRange(dir, view, start, keys::PrefixEnd(start), f); }, fn);
}

Result<std::vector<std::string>> ScanExpiredKeys(const RaftDir& dir, uint64_t upto_ms, uint64_t limit) {
  const std::string start(1, keys::kPrefixExpire);
  const std::string end = upto_ms == std::numeric_limits<uint64_t>::max() ? keys::PrefixEnd(start)
                                                                           : keys::ExpireKey(upto_ms + 1, 0);
  std::vector<std::string> out;
  Status inner;
  RS_RETURN_IF_ERROR(storage_internal::ScanRange(dir, nullptr, start, end, [&](std::string_view k, std::string_view v) {
    ExpireValue ev;
    inner = storage_internal::DecodeStoredJson(dir, k, v, &ev);
    if (!inner.ok()) return false;
    out.push_back(std::move(ev.key));
    return limit == 0 || out.size() < limit;
  }));
  RS_RETURN_IF_ERROR(inner);
  return out;
}

struct SmBatch::Impl {
  rocksdb::WriteBatchWithIndex wb{rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true};

  Result<std::optional<std::string>> Get(const RaftDir& dir, const std::string& key) {
    std::string value;
    rocksdb::Status s = wb.GetFromBatchAndDB(Access::Db(dir), rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "read raft dir " + dir.path() + " key " + storage_internal::Printable(key));
    return std::optional<std::string>(std::move(value));
  }

  Status PutJson(const std::string& key, const Json& j, const std::string& what) {
    std::string raw;
    RS_RETURN_IF_ERROR(storage_internal::DumpJson(j, what, &raw));
    wb.Put(key, raw);
    return Status::OK();
  }
};

SmBatch::SmBatch(RaftDir* dir) : dir_(dir), impl_(std::make_unique<Impl>()) {}
SmBatch::~SmBatch() = default;

Result<std::optional<SeqV>> SmBatch::GetKv(std::string_view key) const {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(*dir_, keys::KvKey(key)));
  if (!raw) return std::optional<SeqV>();
  SeqV v;
  RS_RETURN_IF_ERROR(DecodeKv(*dir_, key, *raw, &v));
  return std::optional<SeqV>(std::move(v));
}

// WriteBatchWithIndex merges the batch over a base iterator; the bound is checked here since
// the batch's own entries do not honour the base's iterate_upper_bound.
Status SmBatch::ScanKv(std::string_view prefix, const KvVisitor& fn) const {
  const std::string start = keys::KvKey(prefix), end = keys::PrefixEnd(start);
  auto scan = [&](auto f) -> Status {
    rocksdb::Slice upper(end);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(impl_->wb.NewIteratorWithBase(Access::Db(*dir_)->NewIterator(ro)));
    for (it->Seek(start); it->Valid() && it->key().compare(upper) < 0; it->Next()) {
      if (!f(std::string_view(it->key().data(), it->key().size()),
             std::string_view(it->value().data(), it->value().size()))) {
        return Status::OK();
      }
    }
    return FromRocks(it->status(), "scan raft dir " + dir_->path());
  };
  return VisitKv(*dir_, scan, fn);
}

void SmBatch::PutKv(std::string_view key, const SeqV& value) { impl_->wb.Put(keys::KvKey(key), EncodeSeqV(value)); }
void SmBatch::DeleteKv(std::string_view key) { impl_->wb.Delete(keys::KvKey(key)); }

Result<uint64_t> SmBatch::GetSequence(const std::string& name) const {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(*dir_, keys::SequenceKey(name)));
  uint64_t cur = 0;
  if (raw && !ParseDecimalU64(*raw, &cur)) return Status::Corruption("stored sequence " + name + " is not a number");
  return cur;
}

void SmBatch::PutSequence(const std::string& name, uint64_t value) {
  impl_->wb.Put(keys::SequenceKey(name), std::to_string(value));
}

Status SmBatch::PutExpire(uint64_t time_ms, uint64_t seq, const ExpireValue& value) {
  return impl_->PutJson(keys::ExpireKey(time_ms, seq), ToJson(value), "key \"" + value.key + "\"");
}

void SmBatch::DeleteExpire(uint64_t time_ms, uint64_t seq) { impl_->wb.Delete(keys::ExpireKey(time_ms, seq)); }

Result<std::optional<Node>> SmBatch::GetNode(uint64_t node_id) const {
  const std::string key = keys::NodeKey(node_id);
  RS_ASSIGN_OR_RETURN(std::optional<std::string> raw, impl_->Get(*dir_, key));
  if (!raw) return std::optional<Node>();
  Node n;
  RS_RETURN_IF_ERROR(storage_internal::DecodeStoredJson(*dir_, key, *raw, &n));
  return std::optional<Node>(std::move(n));
}

Status SmBatch::PutNode(uint64_t node_id, const Node& node) {
  return impl_->PutJson(keys::NodeKey(node_id), ToJson(node), "node " + std::to_string(node_id));
}

void SmBatch::DeleteNode(uint64_t node_id) { impl_->wb.Delete(keys::NodeKey(node_id)); }

Status SmBatch::PutLastMembership(const StoredMembership& membership) {
  return impl_->PutJson(keys::kLastMembership, ToJson(membership), "membership");
}

Status SmBatch::PutLastApplied(const LogId& log_id) {
  return impl_->PutJson(keys::kLastApplied, ToJson(log_id), "log id");
}

Status SmBatch::Commit(bool sync) { return storage_internal::Write(*dir_, impl_->wb.GetWriteBatch(), sync); }

}  // namespace raftstore
