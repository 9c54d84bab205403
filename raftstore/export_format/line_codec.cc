#include "raftstore/export_format/line_codec.h"


#include "raftstore/export_format/fast_line_codec.h"

namespace raftstore {
namespace {

Json Tagged(const char* tag, Json body) {
  Json j = Json::object();
  j[tag] = std::move(body);
  return j;
}

Json KeyValue(Json key, Json value) {
  Json j = Json::object();
  j["key"] = std::move(key);
  j["value"] = std::move(value);
  return j;
}

struct Encoder {
  Json operator()(const HeaderRec& r) const {
    Json v = Json::object();
    v["version"] = r.version;
    return Tagged("DataHeader", KeyValue("header", std::move(v)));
  }
  Json operator()(const NodeIdRec& r) const { return Tagged("NodeId", ToJson(r.node_id)); }
  Json operator()(const VoteRec& r) const { return Tagged("Vote", ToJson(r.vote)); }
  Json operator()(const CommittedRec& r) const { return Tagged("Committed", ToJson(r.log_id)); }
  Json operator()(const PurgedRec& r) const { return Tagged("Purged", ToJson(r.log_id)); }
  Json operator()(const LogEntryRec& r) const { return Tagged("LogEntry", ToJson(r.entry)); }
  Json operator()(const SequenceRec& r) const { return Tagged("Sequences", KeyValue(r.name, r.value)); }
  Json operator()(const LastAppliedRec& r) const {
    return Tagged("StateMachineMeta", KeyValue("LastApplied", Tagged("LogId", ToJson(r.log_id))));
  }
  Json operator()(const LastMembershipRec& r) const {
    return Tagged("StateMachineMeta",
                  KeyValue("LastMembership", Tagged("Membership", ToJson(r.membership))));
  }
  Json operator()(const NodeRec& r) const { return Tagged("Nodes", KeyValue(r.node_id, ToJson(r.node))); }
  Json operator()(const ExpireRec& r) const { return Tagged("Expire", KeyValue(ToJson(r.key), ToJson(r.value))); }
  Json operator()(const KvRec& r) const { return Tagged("GenericKV", KeyValue(r.key, ToJson(r.value))); }
  Json operator()(const FooterRec& r) const {
    Json v = Json::object();
    v["records"] = r.records;
    v["sha256"] = r.sha256;
    return Tagged("Footer", std::move(v));
  }
  Json operator()(const ObsoleteRec& r) const { return Tagged("Obsolete", r.what); }
};

// Reads {"key":K,"value":V} of a key-value record.
Status SplitKeyValue(const Json& body, const std::string& ctx, const Json** key, const Json** value) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(body, {"key", "value"}, ctx));
  RS_RETURN_IF_ERROR(RequireField(body, "key", ctx, key));
  return RequireField(body, "value", ctx, value);
}

// A body like {"LogId": x} whose single tag must be `want`.
Status ExpectTag(const Json& j, const std::string& ctx, const char* want, const Json** body) {
  std::string tag;
  RS_RETURN_IF_ERROR(DecodeTagged(j, ctx, &tag, body));
  if (tag != want || *body == nullptr) {
    return Status::Corruption(ctx + ": expected {\"" + want + "\":...}, found \"" + tag + "\"");
  }
  return Status::OK();
}

Status DecodeHeader(const std::string& tag, const Json& body, const std::string& ctx, RecordBody* out) {
  if (tag != "DataHeader") return Status::Corruption(ctx + ": unknown kind \"" + tag + "\" in tree header");
  const Json *key = nullptr, *value = nullptr;
  RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
  RS_RETURN_IF_ERROR(RejectUnknownFields(*value, {"version", "upgrading"}, ctx + ": value"));
  HeaderRec h;
  RS_RETURN_IF_ERROR(DecodeField(*value, "version", ctx + ": value", &h.version));
  if (const Json* up = OptionalField(*value, "upgrading"); up && !up->is_null()) {
    return Status::Corruption(ctx + ": the source was in the middle of an upgrade (upgrading is set); "
                              "finish the upgrade with the tool that made it, then export again");
  }
  *out = std::move(h);
  return Status::OK();
}

// V002/V003: ["raft_state",{"RaftStateKV":{"key":"Id"|"HardState"|"Committed","value":{...}}}]
Status DecodeRaftState(const std::string& tag, const Json& body, const std::string& ctx, RecordBody* out) {
  if (tag != "RaftStateKV") return Status::Corruption(ctx + ": unknown kind \"" + tag + "\" in tree raft_state");
  const Json *key = nullptr, *value = nullptr;
  RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
  std::string k;
  RS_RETURN_IF_ERROR(DecodeString(*key, ctx + ": key", &k));
  const Json* inner = nullptr;
  std::string vctx = ctx + ": " + k;
  if (k == "Id") {
    RS_RETURN_IF_ERROR(ExpectTag(*value, vctx, "NodeId", &inner));
    NodeIdRec r;
    RS_RETURN_IF_ERROR(FromJson(*inner, vctx, &r.node_id));
    *out = r;
  } else if (k == "HardState") {
    RS_RETURN_IF_ERROR(ExpectTag(*value, vctx, "HardState", &inner));
    VoteRec r;
    RS_RETURN_IF_ERROR(FromJson(*inner, vctx, &r.vote));
    *out = r;
  } else if (k == "Committed") {
    RS_RETURN_IF_ERROR(ExpectTag(*value, vctx, "Committed", &inner));
    CommittedRec r;
    RS_RETURN_IF_ERROR(FromJson(*inner, vctx, &r.log_id));
    *out = r;
  } else {
    return Status::Corruption(ctx + ": unknown raft state key \"" + k + "\"");
  }
  return Status::OK();
}

Status DecodeRaftLog(const std::string& tag, const Json& body, const std::string& ctx, RecordBody* out) {
  if (tag == "NodeId") { NodeIdRec r; RS_RETURN_IF_ERROR(FromJson(body, ctx, &r.node_id)); *out = r; return Status::OK(); }
  if (tag == "Vote") { VoteRec r; RS_RETURN_IF_ERROR(FromJson(body, ctx, &r.vote)); *out = r; return Status::OK(); }
  if (tag == "Committed") { CommittedRec r; RS_RETURN_IF_ERROR(FromJson(body, ctx, &r.log_id)); *out = r; return Status::OK(); }
  if (tag == "Purged") { PurgedRec r; RS_RETURN_IF_ERROR(FromJson(body, ctx, &r.log_id)); *out = r; return Status::OK(); }
  if (tag == "LogEntry") {
    LogEntryRec r;
    RS_RETURN_IF_ERROR(FromJson(body, ctx, &r.entry));
    *out = std::move(r);
    return Status::OK();
  }
  if (tag == "Logs") {  // V002/V003: {"key":index,"value":entry}
    const Json *key = nullptr, *value = nullptr;
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    uint64_t index = 0;
    RS_RETURN_IF_ERROR(DecodeU64(*key, ctx + ": key", &index));
    LogEntryRec r;
    RS_RETURN_IF_ERROR(FromJson(*value, ctx + ": value", &r.entry));
    if (r.entry.log_id.index != index) {
      return Status::Corruption(ctx + ": key " + std::to_string(index) + " differs from the entry's index " +
                                std::to_string(r.entry.log_id.index));
    }
    *out = std::move(r);
    return Status::OK();
  }
  if (tag == "LogMeta") {  // V002/V003: {"key":"LastPurged","value":{"LogId":..}}
    const Json *key = nullptr, *value = nullptr;
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    std::string k;
    RS_RETURN_IF_ERROR(DecodeString(*key, ctx + ": key", &k));
    if (k != "LastPurged") return Status::Corruption(ctx + ": unknown log meta key \"" + k + "\"");
    const Json* inner = nullptr;
    RS_RETURN_IF_ERROR(ExpectTag(*value, ctx + ": LastPurged", "LogId", &inner));
    PurgedRec r;
    RS_RETURN_IF_ERROR(FromJson(*inner, ctx + ": LastPurged", &r.log_id));
    *out = r;
    return Status::OK();
  }
  return Status::Corruption(ctx + ": unknown kind \"" + tag + "\" in tree raft_log");
}

Status DecodeStateMachine(const std::string& tag, const Json& body, const std::string& ctx, RecordBody* out) {
  const Json *key = nullptr, *value = nullptr;
  if (tag == "Sequences") {
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    SequenceRec r;
    RS_RETURN_IF_ERROR(DecodeString(*key, ctx + ": key", &r.name));
    RS_RETURN_IF_ERROR(DecodeU64(*value, ctx + ": value", &r.value));
    *out = std::move(r);
  } else if (tag == "StateMachineMeta") {
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    std::string k;
    RS_RETURN_IF_ERROR(DecodeString(*key, ctx + ": key", &k));
    const Json* inner = nullptr;
    std::string vctx = ctx + ": " + k;
    if (k == "LastApplied") {
      RS_RETURN_IF_ERROR(ExpectTag(*value, vctx, "LogId", &inner));
      LastAppliedRec r;
      RS_RETURN_IF_ERROR(FromJson(*inner, vctx, &r.log_id));
      *out = r;
    } else if (k == "LastMembership") {
      RS_RETURN_IF_ERROR(ExpectTag(*value, vctx, "Membership", &inner));
      LastMembershipRec r;
      RS_RETURN_IF_ERROR(FromJson(*inner, vctx, &r.membership));
      *out = std::move(r);
    } else if (k == "Initialized") {
      RS_RETURN_IF_ERROR(ExpectTag(*value, vctx, "Bool", &inner));
      *out = ObsoleteRec{"StateMachineMeta Initialized"};
    } else {
      return Status::Corruption(ctx + ": unknown state machine meta key \"" + k + "\"");
    }
  } else if (tag == "Nodes") {
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    NodeRec r;
    RS_RETURN_IF_ERROR(DecodeU64(*key, ctx + ": key", &r.node_id));
    RS_RETURN_IF_ERROR(FromJson(*value, ctx + ": value", &r.node));
    *out = std::move(r);
  } else if (tag == "Expire") {
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    ExpireRec r;
    RS_RETURN_IF_ERROR(FromJson(*key, ctx + ": key", &r.key));
    RS_RETURN_IF_ERROR(FromJson(*value, ctx + ": value", &r.value));
    *out = std::move(r);
  } else if (tag == "GenericKV") {
    RS_RETURN_IF_ERROR(SplitKeyValue(body, ctx, &key, &value));
    KvRec r;
    RS_RETURN_IF_ERROR(DecodeString(*key, ctx + ": key", &r.key));
    RS_RETURN_IF_ERROR(FromJson(*value, ctx + ": value", &r.value));
    *out = std::move(r);
  } else {
    return Status::Corruption(ctx + ": unknown kind \"" + tag + "\" in tree state_machine");
  }
  return Status::OK();
}

Status DecodeFooter(const std::string& tag, const Json& body, const std::string& ctx, RecordBody* out) {
  if (tag != "Footer") return Status::Corruption(ctx + ": unknown kind \"" + tag + "\" in tree footer");
  RS_RETURN_IF_ERROR(RejectUnknownFields(body, {"records", "sha256"}, ctx));
  FooterRec f;
  RS_RETURN_IF_ERROR(DecodeField(body, "records", ctx, &f.records));
  RS_RETURN_IF_ERROR(DecodeField(body, "sha256", ctx, &f.sha256));
  *out = std::move(f);
  return Status::OK();
}

bool IsStateMachineTree(const std::string& tree) {
  static const std::string kPrefix = "state_machine/";
  if (tree.rfind(kPrefix, 0) != 0 || tree.size() == kPrefix.size()) return false;
  for (size_t i = kPrefix.size(); i < tree.size(); ++i) {
    if (tree[i] < '0' || tree[i] > '9') return false;
  }
  return true;
}

}  // namespace

Result<Record> DecodeLine(std::string_view line) {
  Record rec;
  if (TryDecodeFastLine(line, &rec)) return rec;
  return DecodeLineWithDom(line);
}

Status DecodeLine(std::string_view line, Record* out) {
  if (TryDecodeFastLine(line, out)) return Status::OK();
  RS_ASSIGN_OR_RETURN(*out, DecodeLineWithDom(line));
  return Status::OK();
}

Result<Record> DecodeLineWithDom(std::string_view line) {
  Json j;
  try {
    j = Json::parse(line.begin(), line.end());
  } catch (const Json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    std::string what = e.what();
    // nlohmann's text starts with "[json.exception.parse_error.101] parse error at ...".
    auto pos = what.find("] ");
    return Status::Corruption("invalid JSON: " + (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  if (!j.is_array() || j.size() != 2 || !j[0].is_string()) {
    return Status::Corruption("expected a line of the form [tree, entry]");
  }
  Record rec;
  rec.tree = j[0].get<std::string>();
  std::string tag;
  const Json* body = nullptr;
  RS_RETURN_IF_ERROR(DecodeTagged(j[1], rec.tree, &tag, &body));
  std::string ctx = rec.tree + " " + tag;
  // NodeId, Vote, Committed and Purged may be null; every other kind needs a body.
  static const Json kNull = nullptr;
  const Json& b = body ? *body : kNull;
  if (body == nullptr && rec.tree != kTreeRaftLog) return Status::Corruption(ctx + ": missing value");
  Status st;
  if (rec.tree == kTreeHeader) st = DecodeHeader(tag, b, ctx, &rec.body);
  else if (rec.tree == kTreeRaftLog) st = DecodeRaftLog(tag, b, ctx, &rec.body);
  else if (rec.tree == "raft_state") st = DecodeRaftState(tag, b, ctx, &rec.body);
  else if (IsStateMachineTree(rec.tree)) st = DecodeStateMachine(tag, b, ctx, &rec.body);
  else if (rec.tree == kTreeFooter) st = DecodeFooter(tag, b, ctx, &rec.body);
  else return Status::Corruption("unknown tree \"" + rec.tree + "\" (expected header, raft_log, raft_state, state_machine/N or footer)");
  if (!st.ok()) return st;
  if (rec.tree == "raft_state") rec.tree = kTreeRaftLog;  // V004 keeps raft state in raft_log
  return rec;
}

std::string EncodeLine(const Record& record) {
  std::string line;
  EncodeLine(record, &line);
  return line;
}

void EncodeLine(const Record& record, std::string* line) {
  if (TryEncodeFastLine(record, line)) return;
  *line = EncodeLineWithDom(record);
}

void AppendLine(const Record& record, std::string* chunk) {
  if (TryAppendFastLine(record, chunk)) return;
  chunk->append(EncodeLineWithDom(record));
}

std::string EncodeLineWithDom(const Record& record) {
  Json line = Json::array();
  line.push_back(record.tree);
  line.push_back(std::visit(Encoder{}, record.body));
  // Raw UTF-8 out (no \u escapes for non-ASCII), as serde_json prints it.
  return line.dump(-1, ' ', false, Json::error_handler_t::strict);
}

Record MakeHeader() { return Record{kTreeHeader, HeaderRec{kCurrentVersion}}; }

}  // namespace raftstore
