// Encrypted backup locations (`--encryption-key-file F`).
//
// Scheme (version 1), described by the plaintext object `encryption` at the location root:
// - F holds either exactly 32 bytes (a raw key) or a passphrase (any other length; trailing
//   newlines are dropped) stretched with PBKDF2-HMAC-SHA256 (kPbkdf2Iterations) and the
//   location's random 32-byte salt. Either gives a master key; HKDF-SHA256 (salt = the
//   location's salt) derives from it three independent subkeys: encryption, block ids, key check.
// - Every object under data/ and manifests/ is AES-256-GCM sealed with a fresh random 12-byte
//   nonce: stored bytes = "MSE1" | nonce | ciphertext | 16-byte tag. The AAD is the object's
//   key ("data/<id>"), so an object moved to another name fails to open.
// - A block's id (its name, and BlockRef.sha256 in manifests) is HMAC-SHA256(id subkey,
//   plaintext): identical data still deduplicates, but an id says nothing without the key.
// - The descriptor holds HMAC(check subkey, fixed text): a wrong key is refused at once, before
//   any block is read. README.md, locks/ and the descriptor itself are not encrypted.
//
// Contract: key material is never put in a Status, a log line or an object; the key file must
// be a regular file not readable by group or others (refused otherwise, naming the chmod fix).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "raftstore/backup/hash.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

inline constexpr const char* kEncryptionDescriptorKey = "encryption";
inline constexpr int kPbkdf2Iterations = 600000;  // OWASP's 2023 figure for PBKDF2-HMAC-SHA256
inline constexpr size_t kSealOverhead = 4 + 12 + 16;  // magic, nonce, tag

// What the key file holds, before any location salt is applied. Wiped on destruction.
struct KeyMaterial {
  enum class Kind { kRawKey, kPassphrase };
  Kind kind = Kind::kRawKey;
  std::string secret;  // the 32 key bytes, or the passphrase
  std::string file;    // the path, for messages
  ~KeyMaterial();
};

// Reads `path`: refuses a file readable by group/others, not regular, or empty.
raftstore::Result<KeyMaterial> ReadKeyFile(const std::string& path);

// The three subkeys of one location (derived from KeyMaterial and the location's salt).
class BackupCipher {
 public:
  static raftstore::Result<std::shared_ptr<BackupCipher>> Derive(const KeyMaterial& key,
                                                                 std::string_view salt,
                                                                 int iterations);
  ~BackupCipher();

  // "MSE1" | nonce | AES-256-GCM(plain, aad) | tag, with a fresh random nonce.
  raftstore::Result<std::string> Seal(std::string_view plain, std::string_view aad) const;
  // Corruption when the tag does not verify (damaged object, wrong name, or another key).
  raftstore::Result<std::string> Open(std::string_view sealed, std::string_view aad,
                                      const std::string& what) const;
  Digest BlockId(std::string_view plain) const;  // HMAC-SHA256 under the id subkey
  std::string KeyCheck() const;                  // 32 bytes stored in the descriptor

 private:
  std::string enc_key_, id_key_, check_key_;
};

// Stores every data/ and manifests/ object sealed by `cipher` in `inner`; Head and List report
// the plaintext size of those objects (stored size - kSealOverhead), so size checks of the
// engine stay as they are, and BlockId is the cipher's HMAC.
std::unique_ptr<ObjectStore> NewEncryptedStore(std::unique_ptr<ObjectStore> inner,
                                               std::shared_ptr<BackupCipher> cipher);

// The store a command works on, after checking the location's encryption against `key_file`
// ("" = no --encryption-key-file):
// - encrypted location and no key, or a plaintext location and a key: InvalidArgument naming
//   the location and the flag (nothing is written);
// - a wrong key: InvalidArgument at once (key check value), nothing read or written;
// - `for_backup` with a key and a location without descriptor: when the location holds no
//   backup and no block it becomes encrypted (descriptor and README written); else refused.
raftstore::Result<std::unique_ptr<ObjectStore>> OpenLocationStore(
    std::unique_ptr<ObjectStore> store, const std::string& key_file, bool for_backup);

}  // namespace raftstore::backup
