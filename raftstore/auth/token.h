// Signed tokens (docs/auth.md "Tokens"): what Authenticate returns and every call then carries
// in the gRPC metadata `authorization: Bearer TOKEN`.
//
//   v1:USER:ROLE:EXPIRY_MS:MAC     MAC = hex HMAC-SHA256(token key, "v1:USER:ROLE:EXPIRY_MS:" + password hash)
//
// The token key lives in the replicated state (users.h kTokenKeyKey), so a token issued by one
// node is good on every node (a follower forwards it as is with a write). Binding the MAC to the
// user's current password hash and the role in the token to the current role means that
// `user passwd`, a role change or `user remove` ends the user's tokens at once, before expiry.
//
// Contract: VerifyToken is Unauthenticated for a token that does not parse, has a bad MAC or has
// expired (the message says which, never echoing the MAC); the MAC compare is constant-time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/auth/users.h"
#include "raftstore/common/status.h"

namespace raftstore::auth {

struct TokenClaims {
  std::string user;
  Role role = Role::kReadonly;
  uint64_t expiry_ms = 0;  // milliseconds since the epoch
  std::string mac;         // hex
};

// A fresh token key: 32 random bytes as 64 hex digits.
Result<std::string> NewTokenKey();

std::string IssueToken(std::string_view token_key, const TokenClaims& claims, std::string_view password_hash);

// The claims of `token` (not yet verified: use them only to find the user, then VerifyToken).
Result<TokenClaims> ParseToken(std::string_view token);

// Checks the MAC against the key and the user's current hash and role, and the expiry.
Status VerifyToken(std::string_view token_key, const TokenClaims& claims, Role current_role,
                   std::string_view password_hash, uint64_t now_ms);

}  // namespace raftstore::auth
