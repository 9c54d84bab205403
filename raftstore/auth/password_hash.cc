#include "raftstore/auth/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <vector>

#include "raftstore/common/hex.h"
#include "raftstore/common/parse_number.h"

namespace raftstore::auth {

namespace {

constexpr std::string_view kAlgorithm = "pbkdf2-sha256";
constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;

Result<std::string> Derive(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string out(kKeyBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return Status::Internal("OpenSSL PBKDF2-HMAC-SHA256 failed");
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, uint32_t iterations) {
  if (iterations < kMinIterations || iterations > kMaxIterations) {
    return Status::InvalidArgument("PBKDF2 iteration count " + std::to_string(iterations) + " is outside [" +
                                   std::to_string(kMinIterations) + ", " + std::to_string(kMaxIterations) + "]");
  }
  std::string salt(kSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed: no salt for the password hash");
  }
  RS_ASSIGN_OR_RETURN(std::string key, Derive(password, salt, iterations));
  return std::string(kAlgorithm) + "$" + std::to_string(iterations) + "$" + HexEncode(salt) + "$" + HexEncode(key);
}

Status VerifyPassword(std::string_view password, std::string_view stored) {
  const std::vector<std::string_view> parts = Split(stored, '$');
  if (parts.size() != 4) return Status::Corruption("stored password hash is not algorithm$iterations$salt$key");
  if (parts[0] != kAlgorithm) {
    return Status::Corruption("stored password hash uses unknown algorithm \"" + std::string(parts[0]) + "\"");
  }
  uint64_t iterations = 0;
  if (!ParseDecimalU64(parts[1], &iterations) || iterations < kMinIterations || iterations > kMaxIterations) {
    return Status::Corruption("stored password hash has a bad iteration count \"" + std::string(parts[1]) + "\"");
  }
  std::string salt, want;
  if (!HexDecode(parts[2], &salt) || salt.empty()) return Status::Corruption("stored password hash has a bad salt");
  if (!HexDecode(parts[3], &want) || want.size() != kKeyBytes) {
    return Status::Corruption("stored password hash has a bad key (want " + std::to_string(kKeyBytes) + " bytes, hex)");
  }
  RS_ASSIGN_OR_RETURN(std::string got, Derive(password, salt, static_cast<uint32_t>(iterations)));
  if (CRYPTO_memcmp(got.data(), want.data(), kKeyBytes) != 0) return Status::Unauthenticated("wrong password");
  return Status::OK();
}

}  // namespace raftstore::auth
