// Users, roles and the reserved key space they live in (docs/auth.md).
//
// Everything auth stores is an ordinary generic-kv key under kReservedPrefix, written by raft
// commands the server makes itself (UpsertKV/Transaction; the password hash, never the
// password), so every node agrees and export/import and backup/restore keep it as V004 lines:
//   __metasrv/auth/users/NAME   {"role":"readonly|readwrite|root","password_hash":"pbkdf2-sha256$..."}
//   __metasrv/auth/enabled      "1" (absent or anything else: auth is off)
//   __metasrv/auth/token_key    64 hex digits: the HMAC key of tokens, new at each `auth enable`
//
// Contract: no client RPC reads, lists, watches or writes a key under kReservedPrefix
// (raftstore/server/reserved_keys.h enforces it); only the auth RPCs of MetaService touch them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "raftstore/common/status.h"

namespace raftstore::auth {

inline constexpr std::string_view kReservedPrefix = "__metasrv/";
inline constexpr std::string_view kUsersPrefix = "__metasrv/auth/users/";
inline constexpr std::string_view kEnabledKey = "__metasrv/auth/enabled";
inline constexpr std::string_view kTokenKeyKey = "__metasrv/auth/token_key";

// Ordered: a role may do everything a lower one may.
enum class Role { kReadonly = 0, kReadwrite = 1, kRoot = 2 };

const char* RoleName(Role r);
// "readonly", "readwrite" or "root"; anything else is InvalidArgument listing the three.
Result<Role> ParseRole(std::string_view name);

// 1 to 64 of [A-Za-z0-9_.@-]: a name that is safe in a key, a log line and a token.
Status CheckUserName(std::string_view name);

std::string UserKey(std::string_view name);
// NAME of a key under kUsersPrefix; nullopt for any other key.
std::optional<std::string> UserNameOfKey(std::string_view key);

struct UserRecord {
  Role role = Role::kReadonly;
  std::string password_hash;  // raftstore/auth/password_hash.h
};

std::string EncodeUser(const UserRecord& u);
// Corruption naming the user when the stored value is not a user record.
Result<UserRecord> DecodeUser(std::string_view name, std::string_view value);

}  // namespace raftstore::auth
