// The client API's wall around the reserved key space (raftstore/auth/users.h kReservedPrefix,
// where users, the auth switch and the token key live; docs/auth.md "Reserved keys").
//
// Contract, whatever the caller's role:
//  - A request that names a reserved key, or a prefix inside the reserved space, is refused
//    with PermissionDenied naming the key and the field: Get, MGet, List's prefix, Watch's
//    key/prefix, Upsert, and every key, condition and operation of a Transaction.
//  - A prefix that would reach reserved keys from outside (a delete_by_prefix or a
//    keys_with_prefix condition over "" or "__") is refused too: they would delete or count them.
//  - A range read that merely spans the reserved space (List "" or "_", Watch over a range or
//    prefix "", Status' key count) skips those keys: Hidden() is true for them.
#pragma once

#include <string>
#include <string_view>

#include "meta.pb.h"
#include "raftstore/common/status.h"

namespace raftstore::server {

// True for a key under the reserved prefix: skipped by every range read.
bool Hidden(std::string_view key);

// PermissionDenied when `key` is reserved; `what` names the field ("key", "if_then[2].put.key").
Status CheckClientKey(std::string_view key, const std::string& what);
// PermissionDenied when a key with this prefix could be reserved (List, Watch: `prefix` inside
// the reserved space; `reaches_in` also refuses a prefix of the reserved prefix itself).
Status CheckClientPrefix(std::string_view prefix, const std::string& what, bool reaches_in);

Status CheckClientRequest(const metasrv::UpsertRequest& req);
Status CheckClientRequest(const metasrv::TxnRequest& req);

}  // namespace raftstore::server
