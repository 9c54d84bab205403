#include "raftstore/server/reserved_keys.h"

#include "raftstore/auth/users.h"

namespace raftstore::server {

using auth::kReservedPrefix;

namespace {

Status Denied(std::string_view key, const std::string& what) {
  return Status::PermissionDenied(what + " \"" + std::string(key) + "\" is in the reserved key space " +
                                  std::string(kReservedPrefix) +
                                  " (metasrv's users and auth settings): no client call may read or write it; "
                                  "use metactl user/auth");
}

Status CheckOp(const metasrv::TxnOp& op, const std::string& what) {
  switch (op.request_case()) {
    case metasrv::TxnOp::kGet: return CheckClientKey(op.get().key(), what + ".get.key");
    case metasrv::TxnOp::kPut: return CheckClientKey(op.put().key(), what + ".put.key");
    case metasrv::TxnOp::kDelete: return CheckClientKey(op.delete_().key(), what + ".delete.key");
    case metasrv::TxnOp::kDeleteByPrefix:
      return CheckClientPrefix(op.delete_by_prefix().prefix(), what + ".delete_by_prefix.prefix", true);
    case metasrv::TxnOp::kFetchIncreaseU64:
      return CheckClientKey(op.fetch_increase_u64().key(), what + ".fetch_increase_u64.key");
    case metasrv::TxnOp::kPutSequential: {
      // Its keys are prefix + 20 digits: reserved only when the prefix itself is.
      RS_RETURN_IF_ERROR(CheckClientKey(op.put_sequential().prefix(), what + ".put_sequential.prefix"));
      return CheckClientKey(op.put_sequential().sequence_key(), what + ".put_sequential.sequence_key");
    }
    case metasrv::TxnOp::REQUEST_NOT_SET: return Status::OK();  // the codec refuses it
  }
  return Status::OK();
}

}  // namespace

bool Hidden(std::string_view key) { return key.starts_with(kReservedPrefix); }

Status CheckClientKey(std::string_view key, const std::string& what) {
  return Hidden(key) ? Denied(key, what) : Status::OK();
}

Status CheckClientPrefix(std::string_view prefix, const std::string& what, bool reaches_in) {
  if (Hidden(prefix) || (reaches_in && kReservedPrefix.starts_with(prefix))) return Denied(prefix, what);
  return Status::OK();
}

Status CheckClientRequest(const metasrv::UpsertRequest& req) { return CheckClientKey(req.key(), "key"); }

Status CheckClientRequest(const metasrv::TxnRequest& req) {
  for (int i = 0; i < req.condition_size(); ++i) {
    const metasrv::TxnCondition& c = req.condition(i);
    const std::string what = "condition[" + std::to_string(i) + "].key";
    RS_RETURN_IF_ERROR(c.target_case() == metasrv::TxnCondition::kKeysWithPrefix
                           ? CheckClientPrefix(c.key(), what, true)
                           : CheckClientKey(c.key(), what));
  }
  for (int i = 0; i < req.if_then_size(); ++i) {
    RS_RETURN_IF_ERROR(CheckOp(req.if_then(i), "if_then[" + std::to_string(i) + "]"));
  }
  for (int i = 0; i < req.else_then_size(); ++i) {
    RS_RETURN_IF_ERROR(CheckOp(req.else_then(i), "else_then[" + std::to_string(i) + "]"));
  }
  return Status::OK();
}

}  // namespace raftstore::server
