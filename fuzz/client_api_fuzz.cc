// Target of the client API's request conversions (raftstore/server/client_api_codec.h): the
// fuzz bytes are parsed as the protobuf message gRPC would hand the service, so every field
// combination of Upsert, Transaction and Watch requests is reached.
//
// Input: byte 0 bits 0-1 pick the request (0 Upsert, 1 Transaction, 2-3 Watch), bit 2 small
// limits (so the size refusals are reached with small inputs); the rest is the message. Bytes
// that do not parse as the message end the run (gRPC refuses them before the service).
// Properties of an accepted request:
//   - Upsert/Transaction: what it will write is within the limits (key, value, ops counts) and
//     non-empty where a key is required; the command survives the JSON form every log entry
//     takes in an export (ToJson, dump, parse, FromJson give the same command back);
//   - Watch: every key the range contains starts with the prefix its initial flush scans (else
//     the flush would miss keys the watch then reports changes of), and a single key's range
//     contains that key.
#include <string>
#include <vector>


#include "fuzz/fuzz_check.h"
#include "fuzz/quiet_protobuf.h"
#include "raftstore/server/client_api_codec.h"

using namespace raftstore;
using namespace raftstore::server;

namespace {

// The command through JSON text and back, as an export writes it and an import reads it.
void CheckJsonRoundTrip(const Cmd& cmd) {
  std::string text;
  try {
    text = ToJson(cmd).dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const std::exception& e) {
    FUZZ_CHECK(false, std::string("an accepted command has no JSON form: ") + e.what());
  }
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!parsed.is_discarded(), "the command's JSON does not parse: " + text);
  Cmd back;
  Status st = FromJson(parsed, "cmd", &back);
  FUZZ_CHECK(st.ok(), "the command's JSON is refused (" + st.message() + "): " + text);
  FUZZ_CHECK(back == cmd, "the command changed through JSON: " + text);
}

void CheckTxnOp(const TxnOp& op, const Limits& limits) {
  if (const auto* p = std::get_if<TxnPut>(&op.request)) {
    FUZZ_CHECK(!p->key.empty() && p->key.size() <= limits.max_key_bytes, "put key");
    FUZZ_CHECK(p->value.size() <= limits.max_value_bytes, "put value");
  } else if (const auto* s = std::get_if<TxnPutSequential>(&op.request)) {
    FUZZ_CHECK(!s->prefix.empty() && s->prefix.size() + 20 <= limits.max_key_bytes, "put_sequential prefix");
    FUZZ_CHECK(!s->sequence_key.empty() && s->sequence_key.size() <= limits.max_key_bytes, "sequence key");
  } else if (const auto* f = std::get_if<TxnFetchIncreaseU64>(&op.request)) {
    FUZZ_CHECK(!f->key.empty() && f->key.size() <= limits.max_key_bytes, "fetch_increase key");
  }
}

void Upsert(const std::string& bytes, const Limits& limits) {
  metasrv::UpsertRequest req;
  if (!req.ParseFromString(bytes)) return;
  Result<UpsertKV> u = ToUpsert(req, limits);
  if (!u.ok()) {
    FUZZ_CHECK(u.status().code() == Status::Code::kInvalidArgument, u.status().message());
    return;
  }
  FUZZ_CHECK(!u->key.empty(), "empty key accepted");
  if (u->value.kind == Operation::Kind::kUpdate) {
    FUZZ_CHECK(u->key.size() <= limits.max_key_bytes, "key over the limit accepted");
    FUZZ_CHECK(u->value.data.size() <= limits.max_value_bytes, "value over the limit accepted");
  }
  CheckJsonRoundTrip(Cmd{*u});
}

void Txn(const std::string& bytes, const Limits& limits) {
  metasrv::TxnRequest req;
  if (!req.ParseFromString(bytes)) return;
  Result<Transaction> t = ToTransaction(req, limits);
  if (!t.ok()) {
    FUZZ_CHECK(t.status().code() == Status::Code::kInvalidArgument, t.status().message());
    return;
  }
  FUZZ_CHECK(t->condition.size() <= limits.max_txn_ops && t->if_then.size() <= limits.max_txn_ops &&
                 t->else_then.size() <= limits.max_txn_ops,
             "more ops than the limit accepted");
  for (const auto& c : t->condition) FUZZ_CHECK(!c.key.empty(), "condition with an empty key");
  for (const auto& op : t->if_then) CheckTxnOp(op, limits);
  for (const auto& op : t->else_then) CheckTxnOp(op, limits);
  CheckJsonRoundTrip(Cmd{*t});
}

void Watch(const std::string& bytes) {
  metasrv::WatchRequest req;
  if (!req.ParseFromString(bytes)) return;
  Result<WatchSpec> w = ToWatchSpec(req);
  if (!w.ok()) {
    FUZZ_CHECK(w.status().code() == Status::Code::kInvalidArgument, w.status().message());
    return;
  }
  if (w->range.single_key) FUZZ_CHECK(w->range.Contains(req.key()), "a single key's range misses it");
  std::vector<std::string> probes = {req.key(), req.key_end(), req.prefix(), w->list_prefix, ""};
  for (const std::string& s : std::vector<std::string>(probes)) {
    probes.push_back(s + '\0');
    probes.push_back(s + '\xff');
    if (!s.empty()) probes.push_back(s.substr(0, s.size() - 1));
    if (!s.empty()) probes.push_back(s.substr(0, s.size() - 1) + static_cast<char>(s.back() + 1));
  }
  for (const auto& k : probes) {
    if (w->range.Contains(k)) {
      FUZZ_CHECK(k.rfind(w->list_prefix, 0) == 0,
                 "the range holds a key the initial flush does not scan (prefix \"" + w->list_prefix + "\")");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  QuietProtobufLogs();
  if (size == 0) return 0;
  Limits limits;
  if (data[0] & 4) limits = Limits{.max_key_bytes = 24, .max_value_bytes = 16, .max_txn_ops = 3, .max_request_bytes = 256};
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] & 3) {
    case 0: Upsert(bytes, limits); break;
    case 1: Txn(bytes, limits); break;
    default: Watch(bytes); break;
  }
  return 0;
}
