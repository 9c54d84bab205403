#include "raftstore/server/client_api_codec.h"

namespace raftstore::server {

Status CheckKey(const std::string& key, const std::string& what) {
  if (key.empty()) return Status::InvalidArgument(what + " is empty");
  return Status::OK();
}

// A key as an error message shows it: a key over the limit may be megabytes long.
static std::string Quoted(const std::string& key) {
  constexpr size_t kShown = 64;
  if (key.size() <= kShown) return "\"" + key + "\"";
  return "\"" + key.substr(0, kShown) + "...\"";
}

// `key` is what a write creates or overwrites.
static Status CheckKeyLength(const std::string& key, const std::string& what, const Limits& limits) {
  if (key.size() <= limits.max_key_bytes) return Status::OK();
  return Status::InvalidArgument(what + " " + Quoted(key) + " is " + std::to_string(key.size()) +
                                 " bytes; the maximum is " + std::to_string(limits.max_key_bytes) +
                                 " (--max-key-bytes)");
}

// put_sequential's keys are the prefix and a 20-digit counter (state_machine.h).
static Status CheckSequentialPrefix(const std::string& prefix, const std::string& what, const Limits& limits) {
  constexpr uint64_t kDigits = 20;
  if (prefix.size() + kDigits <= limits.max_key_bytes) return Status::OK();
  return Status::InvalidArgument(what + " " + Quoted(prefix) + " is " + std::to_string(prefix.size()) +
                                 " bytes, so the keys it makes (prefix + 20 digits) would be " +
                                 std::to_string(prefix.size() + kDigits) + " bytes; the maximum is " +
                                 std::to_string(limits.max_key_bytes) + " (--max-key-bytes)");
}

static Status CheckTtl(const std::string& what, uint64_t ttl_ms) {
  if (ttl_ms <= kMaxTtlMs) return Status::OK();
  return Status::InvalidArgument(what + " is " + std::to_string(ttl_ms) + "; the maximum is " +
                                 std::to_string(kMaxTtlMs) + " (9,000,000,000 s, as etcd's longest lease)");
}

static Status CheckRequestBytes(const google::protobuf::Message& req, const char* name, const Limits& limits) {
  const size_t bytes = req.ByteSizeLong();
  if (bytes <= limits.max_request_bytes) return Status::OK();
  return Status::InvalidArgument(std::string(name) + " request is " + std::to_string(bytes) +
                                 " bytes; the maximum is " + std::to_string(limits.max_request_bytes) +
                                 " (--max-request-bytes)");
}

static Status CheckTxnOps(int n, const char* what, const Limits& limits) {
  if (static_cast<uint64_t>(n) <= limits.max_txn_ops) return Status::OK();
  return Status::InvalidArgument("transaction has " + std::to_string(n) + " " + what + "; the maximum is " +
                                 std::to_string(limits.max_txn_ops) + " (--max-txn-ops)");
}

static Status CheckValue(const std::string& key, const std::string& value, const Limits& limits) {
  if (value.size() > limits.max_value_bytes) {
    return Status::InvalidArgument("value of key " + Quoted(key) + " is " + std::to_string(value.size()) +
                                   " bytes; the maximum is " + std::to_string(limits.max_value_bytes) +
                                   " (--max-value-bytes)");
  }
  return Status::OK();
}

Result<UpsertKV> ToUpsert(const metasrv::UpsertRequest& req, const Limits& limits) {
  RS_RETURN_IF_ERROR(CheckRequestBytes(req, "Upsert", limits));
  RS_RETURN_IF_ERROR(CheckKey(req.key(), "key"));
  const bool update = req.op() != metasrv::OP_DELETE && req.op() != metasrv::OP_AS_IS;  // as converted below
  if (update) RS_RETURN_IF_ERROR(CheckKeyLength(req.key(), "key", limits));
  RS_RETURN_IF_ERROR(CheckValue(req.key(), req.value(), limits));
  UpsertKV u;
  u.key = req.key();
  switch (req.match()) {
    case metasrv::MATCH_EXACT: u.seq = MatchSeq{MatchSeq::Kind::kExact, req.match_seq()}; break;
    case metasrv::MATCH_GE: u.seq = MatchSeq{MatchSeq::Kind::kGE, req.match_seq()}; break;
    default: u.seq = MatchSeq{}; break;
  }
  switch (req.op()) {
    case metasrv::OP_DELETE: u.value = Operation{Operation::Kind::kDelete, ""}; break;
    case metasrv::OP_AS_IS: u.value = Operation{Operation::Kind::kAsIs, ""}; break;
    default: u.value = Operation{Operation::Kind::kUpdate, req.value()}; break;
  }
  if (req.has_expire_at() && req.has_ttl_ms()) {
    return Status::InvalidArgument("key \"" + req.key() + "\": give expire_at or ttl_ms, not both");
  }
  if (req.has_ttl_ms()) RS_RETURN_IF_ERROR(CheckTtl("ttl_ms of key " + Quoted(req.key()), req.ttl_ms()));
  if (req.has_expire_at() || req.has_ttl_ms()) {
    MetaSpec m;
    if (req.has_expire_at()) m.expire_at = req.expire_at();
    if (req.has_ttl_ms()) m.ttl_ms = req.ttl_ms();
    u.value_meta = m;
  }
  return u;
}

static Result<TxnOp> ToOp(const metasrv::TxnOp& op, const std::string& where, const Limits& limits) {
  TxnOp out;
  switch (op.request_case()) {
    case metasrv::TxnOp::kGet:
      RS_RETURN_IF_ERROR(CheckKey(op.get().key(), where + ": get: key"));
      out.request = TxnGet{op.get().key()};
      break;
    case metasrv::TxnOp::kPut: {
      const auto& p = op.put();
      RS_RETURN_IF_ERROR(CheckKey(p.key(), where + ": put: key"));
      RS_RETURN_IF_ERROR(CheckKeyLength(p.key(), where + ": put: key", limits));
      RS_RETURN_IF_ERROR(CheckValue(p.key(), p.value(), limits));
      if (p.has_ttl_ms()) RS_RETURN_IF_ERROR(CheckTtl(where + ": put: ttl_ms", p.ttl_ms()));
      TxnPut put{p.key(), p.value(), true, std::nullopt, std::nullopt, std::nullopt};
      if (p.has_expire_at()) put.expire_at = p.expire_at();
      if (p.has_ttl_ms()) put.ttl_ms = p.ttl_ms();
      if (p.has_match_seq()) put.match_seq = p.match_seq();
      out.request = std::move(put);
      break;
    }
    case metasrv::TxnOp::kDelete: {
      RS_RETURN_IF_ERROR(CheckKey(op.delete_().key(), where + ": delete: key"));
      TxnDelete d{op.delete_().key(), true, std::nullopt};
      if (op.delete_().has_match_seq()) d.match_seq = op.delete_().match_seq();
      out.request = std::move(d);
      break;
    }
    case metasrv::TxnOp::kDeleteByPrefix:
      RS_RETURN_IF_ERROR(CheckKey(op.delete_by_prefix().prefix(), where + ": delete_by_prefix: prefix"));
      out.request = TxnDeleteByPrefix{op.delete_by_prefix().prefix()};
      break;
    case metasrv::TxnOp::kFetchIncreaseU64: {
      const auto& f = op.fetch_increase_u64();
      RS_RETURN_IF_ERROR(CheckKey(f.key(), where + ": fetch_increase_u64: key"));
      RS_RETURN_IF_ERROR(CheckKeyLength(f.key(), where + ": fetch_increase_u64: key", limits));
      TxnFetchIncreaseU64 x{f.key(), std::nullopt, f.delta()};
      if (f.has_match_seq()) x.match_seq = f.match_seq();
      out.request = std::move(x);
      break;
    }
    case metasrv::TxnOp::kPutSequential: {
      const auto& s = op.put_sequential();
      RS_RETURN_IF_ERROR(CheckKey(s.prefix(), where + ": put_sequential: prefix"));
      RS_RETURN_IF_ERROR(CheckKey(s.sequence_key(), where + ": put_sequential: sequence_key"));
      RS_RETURN_IF_ERROR(CheckKeyLength(s.sequence_key(), where + ": put_sequential: sequence_key", limits));
      RS_RETURN_IF_ERROR(CheckSequentialPrefix(s.prefix(), where + ": put_sequential: prefix", limits));
      RS_RETURN_IF_ERROR(CheckValue(s.prefix(), s.value(), limits));
      if (s.has_ttl_ms()) RS_RETURN_IF_ERROR(CheckTtl(where + ": put_sequential: ttl_ms", s.ttl_ms()));
      TxnPutSequential x{s.prefix(), s.sequence_key(), s.value(), std::nullopt};
      if (s.has_ttl_ms()) x.ttl_ms = s.ttl_ms();
      out.request = std::move(x);
      break;
    }
    default:
      return Status::InvalidArgument(where + ": no operation set");
  }
  return out;
}

Result<Transaction> ToTransaction(const metasrv::TxnRequest& req, const Limits& limits) {
  RS_RETURN_IF_ERROR(CheckRequestBytes(req, "Transaction", limits));
  RS_RETURN_IF_ERROR(CheckTxnOps(req.condition_size(), "conditions", limits));
  RS_RETURN_IF_ERROR(CheckTxnOps(req.if_then_size(), "if_then operations", limits));
  RS_RETURN_IF_ERROR(CheckTxnOps(req.else_then_size(), "else_then operations", limits));
  Transaction t;
  for (int i = 0; i < req.condition_size(); ++i) {
    const auto& c = req.condition(i);
    std::string where = "condition[" + std::to_string(i) + "]";
    RS_RETURN_IF_ERROR(CheckKey(c.key(), where + ": key"));
    TxnCondition tc;
    tc.key = c.key();
    tc.expected = static_cast<TxnCondition::Op>(c.expected());
    switch (c.target_case()) {
      case metasrv::TxnCondition::kSeq: tc.target = TxnCondition::Target::kSeq; tc.number = c.seq(); break;
      case metasrv::TxnCondition::kValue: tc.target = TxnCondition::Target::kValue; tc.value = c.value(); break;
      case metasrv::TxnCondition::kKeysWithPrefix:
        tc.target = TxnCondition::Target::kKeysWithPrefix;
        tc.number = c.keys_with_prefix();
        break;
      default: return Status::InvalidArgument(where + ": no target (seq, value or keys_with_prefix) set");
    }
    if (c.expected() < 0 || c.expected() > 5) return Status::InvalidArgument(where + ": unknown comparison");
    t.condition.push_back(std::move(tc));
  }
  for (int i = 0; i < req.if_then_size(); ++i) {
    RS_ASSIGN_OR_RETURN(TxnOp op, ToOp(req.if_then(i), "if_then[" + std::to_string(i) + "]", limits));
    t.if_then.push_back(std::move(op));
  }
  for (int i = 0; i < req.else_then_size(); ++i) {
    RS_ASSIGN_OR_RETURN(TxnOp op, ToOp(req.else_then(i), "else_then[" + std::to_string(i) + "]", limits));
    t.else_then.push_back(std::move(op));
  }
  return t;
}

Result<WatchSpec> ToWatchSpec(const metasrv::WatchRequest& req) {
  WatchSpec w;
  if (!req.prefix().empty() || req.key().empty()) {
    w.range = node::KeyRange::Prefix(req.prefix());
    w.list_prefix = req.prefix();
  } else if (req.key_end().empty()) {
    w.range = node::KeyRange{req.key(), "", true};
    w.list_prefix = req.key();
  } else {
    if (req.key_end() <= req.key()) return Status::InvalidArgument("key_end must be greater than key");
    w.range = node::KeyRange{req.key(), req.key_end(), false};
    size_t n = 0;
    while (n < req.key().size() && n < req.key_end().size() && req.key()[n] == req.key_end()[n]) ++n;
    w.list_prefix = req.key().substr(0, n);
  }
  return w;
}

Result<KeyFilter> ToKeyFilter(const metasrv::ExportRequest& req) {
  auto filter = KeyFilter::Make({req.include_prefixes().begin(), req.include_prefixes().end()},
                                {req.exclude_prefixes().begin(), req.exclude_prefixes().end()});
  if (!filter.ok()) return filter.status().WithContext("Export");
  return filter;
}

void ToProto(const SeqV& v, metasrv::SeqV* out) {
  out->set_seq(v.seq);
  out->set_data(v.data);
  if (auto e = v.ExpireMs()) out->set_expire_at_ms(*e);
}

void ToProto(const UpsertResult& r, metasrv::UpsertReply* out) {
  out->set_applied(r.matched);
  if (r.prev) ToProto(*r.prev, out->mutable_prev());
  if (r.result) ToProto(*r.result, out->mutable_result());
}

void ToProto(const TxnResult& r, metasrv::TxnReply* out) {
  out->set_success(r.success);
  for (const auto& op : r.responses) {
    auto* o = out->add_responses();
    o->set_key(op.key);
    o->set_success(op.success);
    if (op.prev) ToProto(*op.prev, o->mutable_prev());
    if (op.current) ToProto(*op.current, o->mutable_current());
    o->set_count(op.count);
    o->set_before(op.before);
    o->set_after(op.after);
    o->set_error(op.error);
  }
}

}  // namespace raftstore::server
