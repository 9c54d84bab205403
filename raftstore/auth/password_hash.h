// Password hashes for metasrv users (docs/auth.md): PBKDF2-HMAC-SHA256 (OpenSSL EVP) with a
// 16-byte random salt, stored as one self-describing string
//
//   pbkdf2-sha256$<iterations>$<salt, hex>$<32-byte derived key, hex>
//
// so the algorithm or the iteration count can change later: a stored hash is verified with
// the parameters it names, never with the current defaults.
//
// Contract:
//  - HashPassword never sees the same salt twice (RAND_bytes); the password itself is never
//    logged, stored or put in a raft log entry: only this string is.
//  - VerifyPassword compares in constant time. A wrong password is Unauthenticated; a stored
//    value that does not parse (tampered, truncated, an unknown algorithm, an iteration count
//    outside [kMinIterations, kMaxIterations]) is Corruption naming what is wrong, never a match.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/common/status.h"

namespace raftstore::auth {

inline constexpr uint32_t kDefaultIterations = 200000;
// Bounds of a stored hash's count: below, too cheap to guess; above, a request would run for
// minutes (a stored value is data: it must not be able to stall a node).
inline constexpr uint32_t kMinIterations = 1000;
inline constexpr uint32_t kMaxIterations = 10000000;

Result<std::string> HashPassword(std::string_view password, uint32_t iterations = kDefaultIterations);

Status VerifyPassword(std::string_view password, std::string_view stored);

}  // namespace raftstore::auth
