#include "raftstore/backup/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "raftstore/common/sha256.h"

namespace raftstore::backup {

Digest Sha256(std::string_view data) {
  raftstore::Sha256 h;
  h.Update(data);
  return h.Digest();
}

std::string Sha256Hex(std::string_view data) { return raftstore::Sha256::Hex(data); }

std::string Hex(const unsigned char* data, size_t n) { return raftstore::ToHex(data, n); }

bool ParseHexDigest(std::string_view text, Digest* out) {
  if (text.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (int k = 0; k < 2; ++k) {
      char c = text[2 * i + k];
      int x;
      if (c >= '0' && c <= '9') x = c - '0';
      else if (c >= 'a' && c <= 'f') x = c - 'a' + 10;
      else return false;
      v = v * 16 + x;
    }
    (*out)[i] = static_cast<unsigned char>(v);
  }
  return true;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace raftstore::backup
