#include "raftstore/auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <vector>

#include "raftstore/common/hex.h"
#include "raftstore/common/parse_number.h"

namespace raftstore::auth {

namespace {

std::string Payload(const TokenClaims& c) {
  return "v1:" + c.user + ":" + RoleName(c.role) + ":" + std::to_string(c.expiry_ms);
}

std::string Mac(std::string_view key, const std::string& payload, std::string_view password_hash) {
  const std::string msg = payload + ":" + std::string(password_hash);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), out, &len);
  return HexEncode(out, len);
}

}  // namespace

Result<std::string> NewTokenKey() {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof(key)) != 1) return Status::Internal("OpenSSL RAND_bytes failed: no token key");
  return HexEncode(key, sizeof(key));
}

std::string IssueToken(std::string_view token_key, const TokenClaims& claims, std::string_view password_hash) {
  const std::string payload = Payload(claims);
  return payload + ":" + Mac(token_key, payload, password_hash);
}

Result<TokenClaims> ParseToken(std::string_view token) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t pos; (pos = token.find(':', start)) != std::string_view::npos; start = pos + 1) {
    parts.push_back(token.substr(start, pos - start));
  }
  parts.push_back(token.substr(start));
  const Status bad = Status::Unauthenticated("malformed token (not one Authenticate issued): authenticate again");
  if (parts.size() != 5 || parts[0] != "v1") return bad;
  TokenClaims c;
  c.user = std::string(parts[1]);
  if (!CheckUserName(c.user).ok()) return bad;
  auto role = ParseRole(parts[2]);
  if (!role.ok()) return bad;
  c.role = *role;
  if (!ParseDecimalU64(parts[3], &c.expiry_ms)) return bad;
  c.mac = std::string(parts[4]);
  return c;
}

Status VerifyToken(std::string_view token_key, const TokenClaims& claims, Role current_role,
                   std::string_view password_hash, uint64_t now_ms) {
  const std::string want = Mac(token_key, Payload(claims), password_hash);
  if (claims.mac.size() != want.size() || CRYPTO_memcmp(claims.mac.data(), want.data(), want.size()) != 0 ||
      claims.role != current_role) {
    return Status::Unauthenticated("token of user \"" + claims.user +
                                   "\" is not valid (its password or role changed, auth was re-enabled, "
                                   "or it was not issued by this cluster): authenticate again");
  }
  if (now_ms >= claims.expiry_ms) {
    return Status::Unauthenticated("token of user \"" + claims.user + "\" expired " +
                                   std::to_string((now_ms - claims.expiry_ms) / 1000) +
                                   " s ago: authenticate again");
  }
  return Status::OK();
}

}  // namespace raftstore::auth
