#include "raftstore/sm/state_machine.h"

#include <cstdio>
#include <limits>
#include <map>
#include <memory>

#include "raftstore/common/parse_number.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/sm_store.h"

namespace raftstore {
namespace {

uint64_t AddSaturating(uint64_t v, int64_t delta) {
  if (delta >= 0) {
    uint64_t d = static_cast<uint64_t>(delta);
    return v > std::numeric_limits<uint64_t>::max() - d ? std::numeric_limits<uint64_t>::max() : v + d;
  }
  uint64_t d = static_cast<uint64_t>(-(delta + 1)) + 1;  // |delta| without overflow
  return v < d ? 0 : v - d;
}

bool ExpiredAt(const SeqV& v, uint64_t time_ms) {
  auto e = v.ExpireMs();
  return e && *e <= time_ms;
}

// The work of one entry, written into `batch` (which may hold earlier entries of a batch).
class Applier {
 public:
  Applier(SmBatch& batch, uint64_t time_ms) : batch_(batch), time_ms_(time_ms) {}
  SmBatch& batch() { return batch_; }

  // The stored record of `key` (expired or not).
  Status GetStored(const std::string& key, std::optional<SeqV>* out) {
    RS_ASSIGN_OR_RETURN(*out, batch_.GetKv(key));
    return Status::OK();
  }
  static std::optional<SeqV> Live(const std::optional<SeqV>& stored, uint64_t time_ms) {
    if (stored && !ExpiredAt(*stored, time_ms)) return stored;
    return std::nullopt;
  }
  std::optional<SeqV> Live(const std::optional<SeqV>& stored) const { return Live(stored, time_ms_); }

  Status NextSeq(uint64_t* seq) {
    RS_ASSIGN_OR_RETURN(uint64_t cur, batch_.GetSequence(kKvSequence));
    *seq = cur + 1;
    batch_.PutSequence(kKvSequence, *seq);
    return Status::OK();
  }

  KvMeta MetaFrom(std::optional<uint64_t> expire_at, std::optional<uint64_t> ttl_ms) const {
    KvMeta m;
    if (ttl_ms) m.expire_at = ExpireMsAfter(time_ms_, *ttl_ms);
    else m.expire_at = expire_at;
    return m;
  }

  // Replaces the stored record of `key` (`old` as read by GetStored) with a new value.
  Status Write(const std::string& key, const std::optional<SeqV>& old, uint64_t seq, KvMeta meta,
               std::string data, SeqV* written) {
    RemoveExpireIndex(old);
    SeqV v{seq, std::move(meta), std::move(data)};
    if (auto e = v.ExpireMs()) RS_RETURN_IF_ERROR(batch_.PutExpire(*e, seq, ExpireValue{1, key}));
    batch_.PutKv(key, v);
    changes_.push_back(KvChange{key, Live(old), v});
    *written = std::move(v);
    return Status::OK();
  }
  // Writes with a fresh seq.
  Status WriteNew(const std::string& key, const std::optional<SeqV>& old, KvMeta meta, std::string data,
                  SeqV* written) {
    uint64_t seq = 0;
    RS_RETURN_IF_ERROR(NextSeq(&seq));
    return Write(key, old, seq, std::move(meta), std::move(data), written);
  }
  void Remove(const std::string& key, const std::optional<SeqV>& old) {
    if (!old) return;
    RemoveExpireIndex(old);
    batch_.DeleteKv(key);
    changes_.push_back(KvChange{key, old, std::nullopt});
  }
  std::vector<KvChange> TakeChanges() { return std::move(changes_); }

  // Stored keys starting with `prefix` (K keys, without the 'K'), with their values.
  Status ScanKv(const std::string& prefix, const KvVisitor& fn) { return batch_.ScanKv(prefix, fn); }

  uint64_t time_ms() const { return time_ms_; }

 private:
  std::vector<KvChange> changes_;
  void RemoveExpireIndex(const std::optional<SeqV>& old) {
    if (!old) return;
    if (auto e = old->ExpireMs()) batch_.DeleteExpire(*e, old->seq);
  }

  SmBatch& batch_;
  uint64_t time_ms_;
};

Status ApplyUpsert(Applier& a, const UpsertKV& cmd, UpsertResult* r) {
  std::optional<SeqV> stored;
  RS_RETURN_IF_ERROR(a.GetStored(cmd.key, &stored));
  std::optional<SeqV> live = a.Live(stored);
  r->prev = live;
  r->result = live;
  r->matched = cmd.seq.Matches(live ? live->seq : 0);
  if (!r->matched) return Status::OK();
  KvMeta meta;
  if (cmd.value_meta) meta = a.MetaFrom(cmd.value_meta->expire_at, cmd.value_meta->ttl_ms);
  switch (cmd.value.kind) {
    case Operation::Kind::kUpdate: {
      SeqV w;
      RS_RETURN_IF_ERROR(a.WriteNew(cmd.key, stored, std::move(meta), cmd.value.data, &w));
      r->result = std::move(w);
      return Status::OK();
    }
    case Operation::Kind::kDelete:
      a.Remove(cmd.key, stored);  // an expired record goes too
      r->result.reset();
      return Status::OK();
    case Operation::Kind::kAsIs: {
      if (!live) return Status::OK();
      SeqV w;
      RS_RETURN_IF_ERROR(a.WriteNew(cmd.key, stored, std::move(meta), live->data, &w));
      r->result = std::move(w);
      return Status::OK();
    }
  }
  return Status::OK();
}

template <typename T>
bool Compare(const T& actual, TxnCondition::Op op, const T& target) {
  switch (op) {
    case TxnCondition::Op::kEQ: return actual == target;
    case TxnCondition::Op::kGT: return actual > target;
    case TxnCondition::Op::kGE: return actual >= target;
    case TxnCondition::Op::kLT: return actual < target;
    case TxnCondition::Op::kLE: return actual <= target;
    case TxnCondition::Op::kNE: return actual != target;
  }
  return false;
}

Status EvalCondition(Applier& a, const TxnCondition& c, bool* ok) {
  switch (c.target) {
    case TxnCondition::Target::kSeq: {
      std::optional<SeqV> stored;
      RS_RETURN_IF_ERROR(a.GetStored(c.key, &stored));
      auto live = a.Live(stored);
      *ok = Compare<uint64_t>(live ? live->seq : 0, c.expected, c.number);
      return Status::OK();
    }
    case TxnCondition::Target::kValue: {
      std::optional<SeqV> stored;
      RS_RETURN_IF_ERROR(a.GetStored(c.key, &stored));
      auto live = a.Live(stored);
      *ok = live && Compare<std::string>(live->data, c.expected, c.value);  // absent: false
      return Status::OK();
    }
    case TxnCondition::Target::kKeysWithPrefix: {
      uint64_t n = 0;
      RS_RETURN_IF_ERROR(a.ScanKv(c.key, [&](std::string_view, const SeqV& v) {
        if (!ExpiredAt(v, a.time_ms())) ++n;
        return true;
      }));
      *ok = Compare<uint64_t>(n, c.expected, c.number);
      return Status::OK();
    }
  }
  *ok = false;
  return Status::OK();
}

// Adds `delta` to the decimal counter at `key` (absent: 0), unless match_seq does not match.
Status FetchIncrease(Applier& a, const std::string& key, std::optional<uint64_t> match_seq, int64_t delta,
                     TxnOpResult* r) {
  std::optional<SeqV> stored;
  RS_RETURN_IF_ERROR(a.GetStored(key, &stored));
  auto live = a.Live(stored);
  r->key = key;
  r->prev = live;
  r->current = live;
  uint64_t before = 0;
  if (live && !ParseDecimalU64(live->data, &before)) {
    r->success = false;
    r->error = "value of key \"" + key + "\" is not a decimal u64";
    return Status::OK();
  }
  r->before = r->after = before;
  if (match_seq && *match_seq != (live ? live->seq : 0)) {
    r->success = false;
    return Status::OK();
  }
  r->after = AddSaturating(before, delta);
  SeqV w;
  RS_RETURN_IF_ERROR(a.WriteNew(key, stored, KvMeta{}, std::to_string(r->after), &w));
  r->current = std::move(w);
  return Status::OK();
}

struct OpRunner {
  Applier& a;
  TxnOpResult* r;

  Status operator()(const TxnGet& op) {
    r->kind = TxnOpResult::Kind::kGet;
    r->key = op.key;
    std::optional<SeqV> stored;
    RS_RETURN_IF_ERROR(a.GetStored(op.key, &stored));
    r->prev = a.Live(stored);
    return Status::OK();
  }
  // Reads `key` for a write op: fills r->key and (when asked) r->prev, and sets *matched to
  // whether the optional match_seq holds against the live seq (0 when absent or expired).
  Status ReadForWrite(const std::string& key, bool prev_value, std::optional<uint64_t> match_seq,
                      std::optional<SeqV>* stored, std::optional<SeqV>* live, bool* matched) {
    r->key = key;
    RS_RETURN_IF_ERROR(a.GetStored(key, stored));
    *live = a.Live(*stored);
    if (prev_value) r->prev = *live;
    *matched = !match_seq || *match_seq == (*live ? (*live)->seq : 0);
    if (!*matched) r->success = false;
    return Status::OK();
  }
  Status operator()(const TxnPut& op) {
    r->kind = TxnOpResult::Kind::kPut;
    std::optional<SeqV> stored, live;
    bool matched = false;
    RS_RETURN_IF_ERROR(ReadForWrite(op.key, op.prev_value, op.match_seq, &stored, &live, &matched));
    if (!matched) {
      r->current = live;
      return Status::OK();
    }
    SeqV w;
    RS_RETURN_IF_ERROR(a.WriteNew(op.key, stored, a.MetaFrom(op.expire_at, op.ttl_ms), op.value, &w));
    r->current = std::move(w);
    return Status::OK();
  }
  Status operator()(const TxnDelete& op) {
    r->kind = TxnOpResult::Kind::kDelete;
    std::optional<SeqV> stored, live;
    bool matched = false;
    RS_RETURN_IF_ERROR(ReadForWrite(op.key, op.prev_value, op.match_seq, &stored, &live, &matched));
    if (!matched) return Status::OK();
    r->success = live.has_value();
    a.Remove(op.key, stored);
    return Status::OK();
  }
  Status operator()(const TxnDeleteByPrefix& op) {
    r->kind = TxnOpResult::Kind::kDeleteByPrefix;
    r->key = op.prefix;
    std::vector<std::pair<std::string, SeqV>> found;
    RS_RETURN_IF_ERROR(a.ScanKv(op.prefix, [&](std::string_view k, const SeqV& v) {
      found.emplace_back(std::string(k), v);
      return true;
    }));
    for (auto& [k, v] : found) {
      if (!ExpiredAt(v, a.time_ms())) ++r->count;
      a.Remove(k, v);
    }
    return Status::OK();
  }
  Status operator()(const TxnFetchIncreaseU64& op) {
    r->kind = TxnOpResult::Kind::kFetchIncreaseU64;
    return FetchIncrease(a, op.key, op.match_seq, op.delta, r);
  }
  Status operator()(const TxnPutSequential& op) {
    r->kind = TxnOpResult::Kind::kPutSequential;
    TxnOpResult counter;
    RS_RETURN_IF_ERROR(FetchIncrease(a, op.sequence_key, std::nullopt, 1, &counter));
    r->before = counter.before;
    r->after = counter.after;
    if (!counter.success) {
      r->success = false;
      r->error = counter.error;
      r->key = op.prefix;
      return Status::OK();
    }
    char digits[32];
    std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(counter.before));
    r->key = op.prefix + digits;
    std::optional<SeqV> stored;
    RS_RETURN_IF_ERROR(a.GetStored(r->key, &stored));
    SeqV w;
    RS_RETURN_IF_ERROR(a.WriteNew(r->key, stored, a.MetaFrom(std::nullopt, op.ttl_ms), op.value, &w));
    r->current = std::move(w);
    return Status::OK();
  }
};

Status ApplyTxn(Applier& a, const Transaction& txn, TxnResult* r) {
  r->success = true;
  for (const auto& c : txn.condition) {
    bool ok = false;
    RS_RETURN_IF_ERROR(EvalCondition(a, c, &ok));
    if (!ok) {
      r->success = false;
      break;
    }
  }
  const auto& ops = r->success ? txn.if_then : txn.else_then;
  for (const auto& op : ops) {
    TxnOpResult res;
    RS_RETURN_IF_ERROR(std::visit(OpRunner{a, &res}, op.request));
    r->responses.push_back(std::move(res));
  }
  return Status::OK();
}

Status GetNode(Applier& a, uint64_t id, std::optional<Node>* out) {
  RS_ASSIGN_OR_RETURN(*out, a.batch().GetNode(id));
  return Status::OK();
}

struct CmdRunner {
  Applier& a;
  ApplyResult* out;

  Status operator()(const UpsertKV& c) {
    UpsertResult r;
    RS_RETURN_IF_ERROR(ApplyUpsert(a, c, &r));
    out->detail = std::move(r);
    return Status::OK();
  }
  Status operator()(const Transaction& c) {
    TxnResult r;
    RS_RETURN_IF_ERROR(ApplyTxn(a, c, &r));
    out->detail = std::move(r);
    return Status::OK();
  }
  Status operator()(const AddNode& c) {
    AddNodeResult r;
    r.node_id = c.node_id;
    RS_RETURN_IF_ERROR(GetNode(a, c.node_id, &r.prev));
    r.existed = r.prev.has_value();
    if (!r.existed || c.overriding) {
      RS_RETURN_IF_ERROR(a.batch().PutNode(c.node_id, c.node));
      r.written = true;
    }
    out->detail = std::move(r);
    return Status::OK();
  }
  Status operator()(const RemoveNode& c) {
    RemoveNodeResult r;
    r.node_id = c.node_id;
    RS_RETURN_IF_ERROR(GetNode(a, c.node_id, &r.prev));
    if (r.prev) a.batch().DeleteNode(c.node_id);
    out->detail = std::move(r);
    return Status::OK();
  }
  Status operator()(const SetFeature& c) {
    out->detail = SetFeatureResult{c.feature, c.enable};
    return Status::OK();
  }
};

std::string IndexText(const LogId& id) { return std::to_string(id.index); }

// One entry's writes into `batch` (LastApplied is the caller's); nothing of it on error.
Result<ApplyResult> ApplyOne(SmBatch& batch, const LogEntry& entry) {
  uint64_t time_ms = 0;
  if (const auto* n = std::get_if<NormalPayload>(&entry.payload)) time_ms = n->time_ms;
  Applier a(batch, time_ms);
  ApplyResult result;
  result.log_id = entry.log_id;
  Status st;
  if (const auto* m = std::get_if<Membership>(&entry.payload)) {
    StoredMembership sm{entry.log_id, *m};
    st = batch.PutLastMembership(sm);
    result.detail = std::move(sm);
  } else if (const auto* n = std::get_if<NormalPayload>(&entry.payload)) {
    st = std::visit(CmdRunner{a, &result}, n->cmd);
  }
  if (!st.ok()) return st;
  result.changes = a.TakeChanges();
  return result;
}

}  // namespace

Result<std::optional<LogId>> StateMachine::LastApplied() const { return ReadLastApplied(*dir_); }

Result<ApplyResult> StateMachine::Apply(const LogEntry& entry, bool sync) {
  RS_ASSIGN_OR_RETURN(std::vector<ApplyResult> r, ApplyBatch(std::span<const LogEntry>(&entry, 1), sync));
  return std::move(r.front());
}

Result<std::vector<ApplyResult>> StateMachine::ApplyBatch(std::span<const LogEntry> entries, bool sync) {
  std::vector<ApplyResult> results;
  if (entries.empty()) return results;
  auto la = LastApplied();
  if (!la.ok()) return la.status().WithContext("apply log entry " + IndexText(entries.front().log_id));
  uint64_t expect = la.value() ? la.value()->index + 1 : 0;
  SmBatch batch(dir_);
  results.reserve(entries.size());
  for (const LogEntry& entry : entries) {
    const std::string ctx = "apply log entry " + IndexText(entry.log_id);
    if (expect != 0 && entry.log_id.index != expect) {
      return Status::InvalidArgument(ctx + ": expected index " + std::to_string(expect) + " (last applied is " +
                                     std::to_string(expect - 1) + ")");
    }
    auto r = ApplyOne(batch, entry);
    if (!r.ok()) return r.status().WithContext(ctx);
    results.push_back(std::move(r).value());
    expect = entry.log_id.index + 1;
  }
  const std::string ctx = "apply log entries " + IndexText(entries.front().log_id) + ".." +
                          IndexText(entries.back().log_id);
  RS_RETURN_IF_ERROR(batch.PutLastApplied(entries.back().log_id).WithContext(ctx));
  RS_RETURN_IF_ERROR(batch.Commit(sync).WithContext(ctx));
  return results;
}

Result<std::optional<SeqV>> StateMachine::Get(const std::string& key, uint64_t now_ms, const ReadView* view) const {
  RS_ASSIGN_OR_RETURN(std::optional<SeqV> v, ReadKv(*dir_, key, view));
  if (v && ExpiredAt(*v, now_ms)) return std::optional<SeqV>();
  return v;
}

Status StateMachine::List(const std::string& prefix, uint64_t now_ms, uint64_t limit,
                          const std::function<bool(const std::string& key, const SeqV& value)>& visit,
                          const ReadView* view) const {
  uint64_t n = 0;
  return ScanKv(*dir_, prefix, view, [&](std::string_view key, const SeqV& v) {
    if (ExpiredAt(v, now_ms)) return true;
    if (!visit(std::string(key), v)) return false;
    return limit == 0 || ++n < limit;
  });
}

Result<std::vector<std::string>> StateMachine::ExpiredKeys(uint64_t now_ms, uint64_t limit) const {
  return ScanExpiredKeys(*dir_, now_ms, limit);
}

}  // namespace raftstore
