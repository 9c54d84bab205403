// Conversions between the client API (proto/meta.proto) and the internal command and value
// types. Request conversions validate: an error names the field ("if_then[2]: no operation
// set", "key is empty", "value of key \"k\" is 5000000 bytes; the maximum is 1048576
// (--max-value-bytes)"), and a limit's refusal names the limit, the value seen and its flag.
#pragma once

#include <cstdint>

#include "meta.pb.h"
#include "raftstore/common/status.h"
#include "raftstore/export_format/key_filter.h"
#include "raftstore/model/cmd.h"
#include "raftstore/model/limits.h"
#include "raftstore/node/watch_hub.h"
#include "raftstore/sm/state_machine.h"

namespace raftstore::server {

// What one write request may hold; each field is the metasrv setting of the same name (defaults:
// model/limits.h). Refusals are InvalidArgument, checked before anything is proposed:
//  - the request's encoded size above max_request_bytes (Upsert and Transaction: what becomes
//    a log entry; gRPC itself refuses anything much larger before it is read, metasrv_main.cc);
//  - a key a write would create or overwrite longer than max_key_bytes: an Upsert's key
//    (OP_UPDATE), a txn put's or fetch_increase_u64's key, a put_sequential's sequence_key and
//    the keys it makes (prefix + 20 digits). Reads, conditions, deletes and OP_AS_IS are not
//    bounded, so a longer key that came with an import can still be read and removed;
//  - a value above max_value_bytes;
//  - more than max_txn_ops conditions, if_then or else_then operations (each list on its own,
//    as etcd counts --max-txn-ops: one entry applies at most that many operations);
//  - a ttl_ms above kMaxTtlMs (not a setting).
struct Limits {
  uint64_t max_key_bytes = kDefaultMaxKeyBytes;
  uint64_t max_value_bytes = kDefaultMaxValueBytes;
  uint64_t max_txn_ops = kDefaultMaxTxnOps;
  uint64_t max_request_bytes = kDefaultMaxRequestBytes;
};

Status CheckKey(const std::string& key, const std::string& what);
Result<UpsertKV> ToUpsert(const metasrv::UpsertRequest& req, const Limits& limits);
Result<Transaction> ToTransaction(const metasrv::TxnRequest& req, const Limits& limits);

// A Watch request's key range, and the prefix its initial flush scans: every key the range
// contains starts with list_prefix. A non-empty prefix, or no key: the prefix's keys (all keys
// for neither); a key without key_end: that key alone; key and key_end: [key, key_end), and
// InvalidArgument when key_end is not greater than key.
struct WatchSpec {
  node::KeyRange range;
  std::string list_prefix;
};
Result<WatchSpec> ToWatchSpec(const metasrv::WatchRequest& req);

// The Export request's prefixes as the one key filter (refuses both lists, an empty prefix).
Result<KeyFilter> ToKeyFilter(const metasrv::ExportRequest& req);

void ToProto(const SeqV& v, metasrv::SeqV* out);
void ToProto(const UpsertResult& r, metasrv::UpsertReply* out);
void ToProto(const TxnResult& r, metasrv::TxnReply* out);

}  // namespace raftstore::server
