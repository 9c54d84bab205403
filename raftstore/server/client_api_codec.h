// Conversions between the client API (proto/meta.proto) and the internal command and value
// types. Request conversions validate: an error names the field ("if_then[2]: no operation
// set", "key is empty", "value of key \"k\" is 5000000 bytes; the maximum is 1048576").
#pragma once

#include <cstdint>

#include "meta.pb.h"
#include "raftstore/common/status.h"
#include "raftstore/export_format/key_filter.h"
#include "raftstore/sm/state_machine.h"
#include "raftstore/model/cmd.h"

namespace raftstore::server {

struct Limits {
  uint64_t max_value_bytes = 1 << 20;
};

Status CheckKey(const std::string& key, const std::string& what);
Result<UpsertKV> ToUpsert(const metasrv::UpsertRequest& req, const Limits& limits);
Result<Transaction> ToTransaction(const metasrv::TxnRequest& req, const Limits& limits);

// The Export request's prefixes as the one key filter (refuses both lists, an empty prefix).
Result<KeyFilter> ToKeyFilter(const metasrv::ExportRequest& req);

void ToProto(const SeqV& v, metasrv::SeqV* out);
void ToProto(const UpsertResult& r, metasrv::UpsertReply* out);
void ToProto(const TxnResult& r, metasrv::TxnReply* out);

}  // namespace raftstore::server
