#include "raftstore/backup/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "raftstore/common/sha256.h"

namespace raftstore::backup {

Digest Sha256Digest(std::string_view data) {
  raftstore::Sha256 h;
  h.Update(data);
  return h.Digest();
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace raftstore::backup
