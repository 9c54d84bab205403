#include "raftstore/model/cmd.h"

namespace raftstore {

bool MatchSeq::Matches(uint64_t current_seq) const {
  switch (kind) {
    case Kind::kAny: return true;
    case Kind::kExact: return current_seq == value;
    case Kind::kGE: return current_seq >= value;
  }
  return false;
}

namespace {

Json Tagged(const char* tag, Json body) {
  Json j = Json::object();
  j[tag] = std::move(body);
  return j;
}

Json OptU64(const std::optional<uint64_t>& v) { return v ? Json(*v) : Json(nullptr); }

Status UnknownVariant(const std::string& ctx, const std::string& tag) {
  return Status::Corruption(ctx + ": unknown variant \"" + tag + "\"");
}

Status NeedBody(const std::string& ctx, const std::string& tag, const Json* body) {
  if (body == nullptr) return Status::Corruption(ctx + ": variant \"" + tag + "\" needs a value");
  return Status::OK();
}

}  // namespace

Json ToJson(const MatchSeq& v) {
  switch (v.kind) {
    case MatchSeq::Kind::kAny: return Json("Any");
    case MatchSeq::Kind::kExact: return Tagged("Exact", v.value);
    case MatchSeq::Kind::kGE: return Tagged("GE", v.value);
  }
  return Json("Any");
}

Status FromJson(const Json& j, const std::string& ctx, MatchSeq* out) {
  std::string tag;
  const Json* body = nullptr;
  RS_RETURN_IF_ERROR(DecodeTagged(j, ctx, &tag, &body));
  if (tag == "Any" && body == nullptr) { *out = MatchSeq{}; return Status::OK(); }
  if (tag == "Exact") out->kind = MatchSeq::Kind::kExact;
  else if (tag == "GE") out->kind = MatchSeq::Kind::kGE;
  else return UnknownVariant(ctx, tag);
  RS_RETURN_IF_ERROR(NeedBody(ctx, tag, body));
  return DecodeU64(*body, ctx + ": " + tag, &out->value);
}

Json ToJson(const Operation& v) {
  switch (v.kind) {
    case Operation::Kind::kUpdate: return Tagged("Update", EncodeBytes(v.data));
    case Operation::Kind::kDelete: return Json("Delete");
    case Operation::Kind::kAsIs: return Json("AsIs");
  }
  return Json("AsIs");
}

Status FromJson(const Json& j, const std::string& ctx, Operation* out) {
  std::string tag;
  const Json* body = nullptr;
  RS_RETURN_IF_ERROR(DecodeTagged(j, ctx, &tag, &body));
  out->data.clear();
  if (tag == "Delete" && body == nullptr) { out->kind = Operation::Kind::kDelete; return Status::OK(); }
  if (tag == "AsIs" && body == nullptr) { out->kind = Operation::Kind::kAsIs; return Status::OK(); }
  if (tag != "Update") return UnknownVariant(ctx, tag);
  RS_RETURN_IF_ERROR(NeedBody(ctx, tag, body));
  out->kind = Operation::Kind::kUpdate;
  return DecodeBytes(*body, ctx + ": Update", &out->data);
}

Json ToJson(const MetaSpec& v) {
  Json j = Json::object();
  j["expire_at"] = OptU64(v.expire_at);
  if (v.ttl_ms) {
    Json ttl = Json::object();
    ttl["millis"] = *v.ttl_ms;
    j["ttl"] = std::move(ttl);
  }
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, MetaSpec* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"expire_at", "ttl"}, ctx));
  RS_RETURN_IF_ERROR(DecodeNullableU64(j, "expire_at", ctx, &out->expire_at));
  out->ttl_ms.reset();
  const Json* ttl = OptionalField(j, "ttl");
  if (ttl && !ttl->is_null()) {
    RS_RETURN_IF_ERROR(RejectUnknownFields(*ttl, {"millis"}, ctx + ": ttl"));
    uint64_t ms = 0;
    RS_RETURN_IF_ERROR(DecodeField(*ttl, "millis", ctx + ": ttl", &ms));
    out->ttl_ms = ms;
  }
  return Status::OK();
}

Json ToJson(const TxnCondition& v) {
  Json j = Json::object();
  j["key"] = v.key;
  j["expected"] = static_cast<uint64_t>(v.expected);
  switch (v.target) {
    case TxnCondition::Target::kSeq: j["target"] = Tagged("Seq", v.number); break;
    case TxnCondition::Target::kValue: j["target"] = Tagged("Value", EncodeBytes(v.value)); break;
    case TxnCondition::Target::kKeysWithPrefix: j["target"] = Tagged("KeysWithPrefix", v.number); break;
  }
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, TxnCondition* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"key", "expected", "target"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "key", ctx, &out->key));
  uint64_t expected = 0;
  RS_RETURN_IF_ERROR(DecodeField(j, "expected", ctx, &expected));
  if (expected > 5) {
    return Status::Corruption(ctx + ": expected: " + std::to_string(expected) +
                              " is not a comparison (0..5: EQ, GT, GE, LT, LE, NE)");
  }
  out->expected = static_cast<TxnCondition::Op>(expected);
  const Json* target = nullptr;
  RS_RETURN_IF_ERROR(RequireField(j, "target", ctx, &target));
  std::string tag;
  const Json* body = nullptr;
  std::string tctx = ctx + ": target";
  RS_RETURN_IF_ERROR(DecodeTagged(*target, tctx, &tag, &body));
  RS_RETURN_IF_ERROR(NeedBody(tctx, tag, body));
  if (tag == "Seq") { out->target = TxnCondition::Target::kSeq; return DecodeU64(*body, tctx, &out->number); }
  if (tag == "KeysWithPrefix") {
    out->target = TxnCondition::Target::kKeysWithPrefix;
    return DecodeU64(*body, tctx, &out->number);
  }
  if (tag == "Value") { out->target = TxnCondition::Target::kValue; return DecodeBytes(*body, tctx, &out->value); }
  return UnknownVariant(tctx, tag);
}

namespace {

Json RequestToJson(const TxnRequest& r) {
  struct Visitor {
    Json operator()(const TxnGet& v) const {
      Json j = Json::object();
      j["key"] = v.key;
      return Tagged("Get", std::move(j));
    }
    Json operator()(const TxnPut& v) const {
      Json j = Json::object();
      j["key"] = v.key;
      j["value"] = EncodeBytes(v.value);
      j["prev_value"] = v.prev_value;
      j["expire_at"] = OptU64(v.expire_at);
      j["match_seq"] = OptU64(v.match_seq);
      if (v.ttl_ms) j["ttl_ms"] = *v.ttl_ms;
      return Tagged("Put", std::move(j));
    }
    Json operator()(const TxnDelete& v) const {
      Json j = Json::object();
      j["key"] = v.key;
      j["prev_value"] = v.prev_value;
      j["match_seq"] = OptU64(v.match_seq);
      return Tagged("Delete", std::move(j));
    }
    Json operator()(const TxnDeleteByPrefix& v) const {
      Json j = Json::object();
      j["prefix"] = v.prefix;
      return Tagged("DeleteByPrefix", std::move(j));
    }
    Json operator()(const TxnFetchIncreaseU64& v) const {
      Json j = Json::object();
      j["key"] = v.key;
      j["match_seq"] = OptU64(v.match_seq);
      j["delta"] = v.delta;
      return Tagged("FetchIncreaseU64", std::move(j));
    }
    Json operator()(const TxnPutSequential& v) const {
      Json j = Json::object();
      j["prefix"] = v.prefix;
      j["sequence_key"] = v.sequence_key;
      j["value"] = EncodeBytes(v.value);
      if (v.ttl_ms) j["ttl_ms"] = *v.ttl_ms;
      return Tagged("PutSequential", std::move(j));
    }
  };
  return std::visit(Visitor{}, r);
}

Status RequestFromJson(const std::string& tag, const Json& b, const std::string& ctx, TxnRequest* out) {
  if (tag == "Get") {
    TxnGet v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"key"}, ctx));
    RS_RETURN_IF_ERROR(DecodeField(b, "key", ctx, &v.key));
    *out = std::move(v);
  } else if (tag == "Put") {
    TxnPut v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"key", "value", "prev_value", "expire_at", "match_seq", "ttl_ms"}, ctx));
    RS_RETURN_IF_ERROR(DecodeField(b, "key", ctx, &v.key));
    RS_RETURN_IF_ERROR(DecodeField(b, "value", ctx, &v.value, DecodeBytes));
    RS_RETURN_IF_ERROR(DecodeField(b, "prev_value", ctx, &v.prev_value));
    RS_RETURN_IF_ERROR(DecodeNullableU64(b, "expire_at", ctx, &v.expire_at));
    RS_RETURN_IF_ERROR(DecodeNullableU64(b, "match_seq", ctx, &v.match_seq));
    RS_RETURN_IF_ERROR(DecodeNullableU64(b, "ttl_ms", ctx, &v.ttl_ms));
    *out = std::move(v);
  } else if (tag == "Delete") {
    TxnDelete v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"key", "prev_value", "match_seq"}, ctx));
    RS_RETURN_IF_ERROR(DecodeField(b, "key", ctx, &v.key));
    RS_RETURN_IF_ERROR(DecodeField(b, "prev_value", ctx, &v.prev_value));
    RS_RETURN_IF_ERROR(DecodeNullableU64(b, "match_seq", ctx, &v.match_seq));
    *out = std::move(v);
  } else if (tag == "DeleteByPrefix") {
    TxnDeleteByPrefix v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"prefix"}, ctx));
    RS_RETURN_IF_ERROR(DecodeField(b, "prefix", ctx, &v.prefix));
    *out = std::move(v);
  } else if (tag == "FetchIncreaseU64") {
    TxnFetchIncreaseU64 v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"key", "match_seq", "delta"}, ctx));
    RS_RETURN_IF_ERROR(DecodeField(b, "key", ctx, &v.key));
    RS_RETURN_IF_ERROR(DecodeNullableU64(b, "match_seq", ctx, &v.match_seq));
    RS_RETURN_IF_ERROR(DecodeField(b, "delta", ctx, &v.delta, DecodeI64));
    *out = std::move(v);
  } else if (tag == "PutSequential") {
    TxnPutSequential v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"prefix", "sequence_key", "value", "ttl_ms"}, ctx));
    RS_RETURN_IF_ERROR(DecodeField(b, "prefix", ctx, &v.prefix));
    RS_RETURN_IF_ERROR(DecodeField(b, "sequence_key", ctx, &v.sequence_key));
    RS_RETURN_IF_ERROR(DecodeField(b, "value", ctx, &v.value, DecodeBytes));
    RS_RETURN_IF_ERROR(DecodeNullableU64(b, "ttl_ms", ctx, &v.ttl_ms));
    *out = std::move(v);
  } else {
    return UnknownVariant(ctx, tag);
  }
  return Status::OK();
}

}  // namespace

Json ToJson(const TxnOp& v) {
  Json j = Json::object();
  j["request"] = RequestToJson(v.request);
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, TxnOp* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"request"}, ctx));
  const Json* req = nullptr;
  RS_RETURN_IF_ERROR(RequireField(j, "request", ctx, &req));
  std::string tag;
  const Json* body = nullptr;
  std::string rctx = ctx + ": request";
  RS_RETURN_IF_ERROR(DecodeTagged(*req, rctx, &tag, &body));
  RS_RETURN_IF_ERROR(NeedBody(rctx, tag, body));
  return RequestFromJson(tag, *body, rctx + ": " + tag, &out->request);
}

template <typename T>
static Json ListToJson(const std::vector<T>& list) {
  Json a = Json::array();
  for (const auto& x : list) a.push_back(ToJson(x));
  return a;
}

template <typename T>
static Status ListFromJson(const Json& obj, const char* name, const std::string& ctx, std::vector<T>* out) {
  const Json* a = nullptr;
  RS_RETURN_IF_ERROR(RequireField(obj, name, ctx, &a));
  std::string lctx = ctx + ": " + name;
  if (!a->is_array()) return Status::Corruption(lctx + ": expected an array, found " + JsonTypeName(*a));
  out->clear();
  for (size_t i = 0; i < a->size(); ++i) {
    T v;
    RS_RETURN_IF_ERROR(FromJson((*a)[i], lctx + "[" + std::to_string(i) + "]", &v));
    out->push_back(std::move(v));
  }
  return Status::OK();
}

Json ToJson(const Transaction& v) {
  Json j = Json::object();
  j["condition"] = ListToJson(v.condition);
  j["if_then"] = ListToJson(v.if_then);
  j["else_then"] = ListToJson(v.else_then);
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, Transaction* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"condition", "if_then", "else_then"}, ctx));
  RS_RETURN_IF_ERROR(ListFromJson(j, "condition", ctx, &out->condition));
  RS_RETURN_IF_ERROR(ListFromJson(j, "if_then", ctx, &out->if_then));
  return ListFromJson(j, "else_then", ctx, &out->else_then);
}

Json ToJson(const Cmd& v) {
  struct Visitor {
    Json operator()(const AddNode& c) const {
      Json j = Json::object();
      j["node_id"] = c.node_id;
      j["node"] = ToJson(c.node);
      j["overriding"] = c.overriding;
      return Tagged("AddNode", std::move(j));
    }
    Json operator()(const RemoveNode& c) const {
      Json j = Json::object();
      j["node_id"] = c.node_id;
      return Tagged("RemoveNode", std::move(j));
    }
    Json operator()(const SetFeature& c) const {
      Json j = Json::object();
      j["feature"] = c.feature;
      j["enable"] = c.enable;
      return Tagged("SetFeature", std::move(j));
    }
    Json operator()(const UpsertKV& c) const {
      Json j = Json::object();
      j["key"] = c.key;
      j["seq"] = ToJson(c.seq);
      j["value"] = ToJson(c.value);
      j["value_meta"] = c.value_meta ? ToJson(*c.value_meta) : Json(nullptr);
      return Tagged("UpsertKV", std::move(j));
    }
    Json operator()(const Transaction& c) const { return Tagged("Transaction", ToJson(c)); }
  };
  return std::visit(Visitor{}, v);
}

Status FromJson(const Json& j, const std::string& ctx, Cmd* out) {
  std::string tag;
  const Json* body = nullptr;
  RS_RETURN_IF_ERROR(DecodeTagged(j, ctx, &tag, &body));
  RS_RETURN_IF_ERROR(NeedBody(ctx, tag, body));
  const Json& b = *body;
  std::string c = ctx + ": " + tag;
  if (tag == "AddNode") {
    AddNode v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"node_id", "node", "overriding"}, c));
    RS_RETURN_IF_ERROR(DecodeField(b, "node_id", c, &v.node_id));
    RS_RETURN_IF_ERROR(DecodeField(b, "node", c, &v.node));
    if (const Json* o = OptionalField(b, "overriding")) RS_RETURN_IF_ERROR(DecodeBool(*o, c + ": overriding", &v.overriding));
    *out = std::move(v);
  } else if (tag == "RemoveNode") {
    RemoveNode v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"node_id"}, c));
    RS_RETURN_IF_ERROR(DecodeField(b, "node_id", c, &v.node_id));
    *out = v;
  } else if (tag == "SetFeature") {
    SetFeature v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"feature", "enable"}, c));
    RS_RETURN_IF_ERROR(DecodeField(b, "feature", c, &v.feature));
    RS_RETURN_IF_ERROR(DecodeField(b, "enable", c, &v.enable));
    *out = std::move(v);
  } else if (tag == "UpsertKV") {
    UpsertKV v;
    RS_RETURN_IF_ERROR(RejectUnknownFields(b, {"key", "seq", "value", "value_meta"}, c));
    RS_RETURN_IF_ERROR(DecodeField(b, "key", c, &v.key));
    RS_RETURN_IF_ERROR(DecodeField(b, "seq", c, &v.seq));
    RS_RETURN_IF_ERROR(DecodeField(b, "value", c, &v.value));
    const Json* meta = nullptr;
    RS_RETURN_IF_ERROR(RequireField(b, "value_meta", c, &meta));
    RS_RETURN_IF_ERROR(FromJson(*meta, c + ": value_meta", &v.value_meta));
    *out = std::move(v);
  } else if (tag == "Transaction") {
    Transaction v;
    RS_RETURN_IF_ERROR(FromJson(b, c, &v));
    *out = std::move(v);
  } else {
    return UnknownVariant(ctx, tag);
  }
  return Status::OK();
}

}  // namespace raftstore
