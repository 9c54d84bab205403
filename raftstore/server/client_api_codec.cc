#include "raftstore/server/client_api_codec.h"

namespace raftstore::server {

Status CheckKey(const std::string& key, const std::string& what) {
  if (key.empty()) return Status::InvalidArgument(what + " is empty");
  return Status::OK();
}

static Status CheckValue(const std::string& key, const std::string& value, const Limits& limits) {
  if (value.size() > limits.max_value_bytes) {
    return Status::InvalidArgument("value of key \"" + key + "\" is " + std::to_string(value.size()) +
                                   " bytes; the maximum is " + std::to_string(limits.max_value_bytes) +
                                   " (--max-value-bytes)");
  }
  return Status::OK();
}

Result<UpsertKV> ToUpsert(const metasrv::UpsertRequest& req, const Limits& limits) {
  RS_RETURN_IF_ERROR(CheckKey(req.key(), "key"));
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
      RS_RETURN_IF_ERROR(CheckValue(p.key(), p.value(), limits));
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
      TxnFetchIncreaseU64 x{f.key(), std::nullopt, f.delta()};
      if (f.has_match_seq()) x.match_seq = f.match_seq();
      out.request = std::move(x);
      break;
    }
    case metasrv::TxnOp::kPutSequential: {
      const auto& s = op.put_sequential();
      RS_RETURN_IF_ERROR(CheckKey(s.prefix(), where + ": put_sequential: prefix"));
      RS_RETURN_IF_ERROR(CheckKey(s.sequence_key(), where + ": put_sequential: sequence_key"));
      RS_RETURN_IF_ERROR(CheckValue(s.prefix(), s.value(), limits));
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
