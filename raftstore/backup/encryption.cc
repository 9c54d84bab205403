#include "raftstore/backup/encryption.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstring>
#include <sstream>

#include "raftstore/backup/backup.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/file_util.h"
#include "raftstore/common/hex.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

namespace {

constexpr char kMagic[4] = {'M', 'S', 'E', '1'};
constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;
constexpr size_t kMaxKeyFileBytes = 64 * 1024;
constexpr const char* kScheme = "aes-256-gcm+hmac-sha256-ids";
constexpr const char* kKeyCheckText = "metasrv backup key check v1";

// HKDF-SHA256(ikm, salt, info) -> 32 bytes.
Result<std::string> Hkdf(std::string_view ikm, std::string_view salt, const char* info) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return Status::Internal("OpenSSL has no HKDF");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return Status::Internal("HKDF: out of memory");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()),
                                        salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info),
                                        std::strlen(info)),
      OSSL_PARAM_construct_end()};
  std::string out(32, '\0');
  int ok = EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) return Status::Internal("HKDF derivation failed");
  return out;
}

void Wipe(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(s->data(), s->size());
}

bool IsSealedKey(const std::string& key) {
  return key.rfind(kDataDir, 0) == 0 || key.rfind(kManifestDir, 0) == 0;
}

uint64_t PlainSize(uint64_t stored) {
  // A stored object too short to hold the envelope can match no plaintext size.
  return stored >= kSealOverhead ? stored - kSealOverhead : UINT64_MAX;
}

}  // namespace

KeyMaterial::~KeyMaterial() { Wipe(&secret); }

Result<KeyMaterial> ReadKeyFile(const std::string& path) {
  RS_ASSIGN_OR_RETURN(std::string secret,
                      ReadPrivateFile("--encryption-key-file", path, kMaxKeyFileBytes));
  KeyMaterial k;
  k.file = path;
  k.secret = std::move(secret);
  if (k.secret.size() == 32) return k;  // a raw key, used as it is
  k.kind = KeyMaterial::Kind::kPassphrase;
  while (!k.secret.empty() && (k.secret.back() == '\n' || k.secret.back() == '\r')) {
    k.secret.pop_back();
  }
  if (k.secret.empty()) {
    return Status::InvalidArgument("--encryption-key-file " + path + " is empty: make a key "
                                   "with `head -c 32 /dev/urandom > " + path + "`");
  }
  return k;
}

Result<std::shared_ptr<BackupCipher>> BackupCipher::Derive(const KeyMaterial& key,
                                                           std::string_view salt,
                                                           int iterations) {
  std::string master(32, '\0');
  if (key.kind == KeyMaterial::Kind::kRawKey) {
    master = key.secret;
  } else if (PKCS5_PBKDF2_HMAC(key.secret.data(), static_cast<int>(key.secret.size()),
                               reinterpret_cast<const unsigned char*>(salt.data()),
                               static_cast<int>(salt.size()), iterations, EVP_sha256(), 32,
                               reinterpret_cast<unsigned char*>(master.data())) != 1) {
    return Status::Internal("PBKDF2 derivation failed");
  }
  auto c = std::shared_ptr<BackupCipher>(new BackupCipher());
  auto enc = Hkdf(master, salt, "metasrv backup v1 encryption");
  auto id = Hkdf(master, salt, "metasrv backup v1 block ids");
  auto check = Hkdf(master, salt, "metasrv backup v1 key check");
  Wipe(&master);
  if (!enc.ok()) return enc.status();
  if (!id.ok()) return id.status();
  if (!check.ok()) return check.status();
  c->enc_key_ = std::move(*enc);
  c->id_key_ = std::move(*id);
  c->check_key_ = std::move(*check);
  return c;
}

BackupCipher::~BackupCipher() {
  Wipe(&enc_key_);
  Wipe(&id_key_);
  Wipe(&check_key_);
}

Result<std::string> BackupCipher::Seal(std::string_view plain, std::string_view aad) const {
  std::string out(kSealOverhead + plain.size(), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  std::memcpy(o, kMagic, 4);
  unsigned char* nonce = o + 4;
  if (RAND_bytes(nonce, kNonceLen) != 1) return Status::Internal("RAND_bytes failed");
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  bool ok = ctx != nullptr &&
            EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr,
                               reinterpret_cast<const unsigned char*>(enc_key_.data()), nonce) == 1;
  int len = 0;
  ok = ok && EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                               static_cast<int>(aad.size())) == 1;
  unsigned char* dst = o + 4 + kNonceLen;
  size_t done = 0;
  while (ok && done < plain.size()) {  // EVP lengths are int: 1 GiB at a time
    size_t n = std::min<size_t>(plain.size() - done, 1u << 30);
    ok = EVP_EncryptUpdate(ctx, dst + done, &len,
                           reinterpret_cast<const unsigned char*>(plain.data()) + done,
                           static_cast<int>(n)) == 1;
    done += n;
  }
  ok = ok && EVP_EncryptFinal_ex(ctx, dst + done, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagLen, dst + plain.size()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return Status::Internal("AES-256-GCM encryption failed");
  return out;
}

Result<std::string> BackupCipher::Open(std::string_view sealed, std::string_view aad,
                                       const std::string& what) const {
  if (sealed.size() < kSealOverhead || std::memcmp(sealed.data(), kMagic, 4) != 0) {
    return Status::Corruption(what + ": not an encrypted backup object (" +
                              std::to_string(sealed.size()) + " bytes without the MSE1 "
                              "header): the object is damaged or was not written by an "
                              "encrypted backup");
  }
  auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  size_t n = sealed.size() - kSealOverhead;
  const unsigned char* ct = s + 4 + kNonceLen;
  std::string out(n, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr,
                               reinterpret_cast<const unsigned char*>(enc_key_.data()), s + 4) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                              static_cast<int>(aad.size())) == 1;
  size_t done = 0;
  while (ok && done < n) {
    size_t m = std::min<size_t>(n - done, 1u << 30);
    ok = EVP_DecryptUpdate(ctx, o + done, &len, ct + done, static_cast<int>(m)) == 1;
    done += m;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagLen,
                                 const_cast<unsigned char*>(ct + n)) == 1 &&
       EVP_DecryptFinal_ex(ctx, o + n, &len) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) {
    Wipe(&out);
    return Status::Corruption(what + ": authentication failed (AES-256-GCM tag mismatch): the "
                              "object is damaged or was renamed; run `metactl verify LOCATION "
                              "--read-data --encryption-key-file F`");
  }
  return out;
}

Digest BackupCipher::BlockId(std::string_view plain) const {
  std::string mac = HmacSha256(id_key_, plain);
  Digest d{};
  std::memcpy(d.data(), mac.data(), d.size());
  return d;
}

std::string BackupCipher::KeyCheck() const { return HmacSha256(check_key_, kKeyCheckText); }

// ---------------------------------------------------------------------------------------------

namespace {

class EncryptedStore : public ObjectStore {
 public:
  EncryptedStore(std::unique_ptr<ObjectStore> inner, std::shared_ptr<BackupCipher> cipher)
      : inner_(std::move(inner)), cipher_(std::move(cipher)) {}

  std::string Describe() const override { return inner_->Describe(); }

  Status Put(const std::string& key, std::string_view data, const PutOptions& options) override {
    if (!IsSealedKey(key)) return inner_->Put(key, data, options);
    RS_ASSIGN_OR_RETURN(std::string sealed, cipher_->Seal(data, key));
    PutOptions po = options;
    po.sha256_hex.clear();  // the caller's digest is of the plaintext; the store hashes the body
    return inner_->Put(key, sealed, po);
  }

  Result<std::string> Get(const std::string& key) override {
    RS_ASSIGN_OR_RETURN(std::string raw, inner_->Get(key));
    if (!IsSealedKey(key)) return raw;
    return cipher_->Open(raw, key, "object " + key + " at " + Describe());
  }

  Result<std::optional<uint64_t>> Head(const std::string& key) override {
    RS_ASSIGN_OR_RETURN(auto size, inner_->Head(key));
    if (size && IsSealedKey(key)) return std::optional<uint64_t>(PlainSize(*size));
    return size;
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    RS_ASSIGN_OR_RETURN(auto objects, inner_->List(prefix));
    for (auto& o : objects) {
      if (IsSealedKey(o.key)) o.size = PlainSize(o.size);
    }
    return objects;
  }

  Status Delete(const std::string& key) override { return inner_->Delete(key); }
  Digest BlockId(std::string_view data) const override { return cipher_->BlockId(data); }
  bool Encrypted() const override { return true; }
  StoreCounters& counters() override { return inner_->counters(); }

 private:
  std::unique_ptr<ObjectStore> inner_;
  std::shared_ptr<BackupCipher> cipher_;
};

struct Descriptor {
  int version = 0;
  std::string scheme, key_source, kdf, salt;
  int iterations = 0;
  std::string key_check;
};

std::string EncodeDescriptor(const Descriptor& d) {
  std::ostringstream o;
  o << "# metactl backup encryption: blocks and manifests at this location are encrypted.\n"
    << "# Restoring needs the key file given to `metactl backup --encryption-key-file`.\n"
    << "version " << d.version << "\n"
    << "scheme " << d.scheme << "\n"
    << "key-source " << d.key_source << "\n"
    << "kdf " << d.kdf << "\n"
    << "kdf-iterations " << d.iterations << "\n"
    << "salt " << HexEncode(d.salt) << "\n"
    << "key-check " << HexEncode(d.key_check) << "\n";
  return o.str();
}

Result<Descriptor> DecodeDescriptor(const std::string& text, const std::string& where) {
  Descriptor d;
  std::istringstream in(text);
  std::string line;
  auto bad = [&](const std::string& why) {
    return Status::Corruption("encryption descriptor " + std::string(kEncryptionDescriptorKey) +
                              " at " + where + ": " + why);
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.find(' ');
    if (sp == std::string::npos) return bad("line without a value: " + line);
    std::string name = line.substr(0, sp), value = line.substr(sp + 1);
    if (name == "version") d.version = std::atoi(value.c_str());
    else if (name == "scheme") d.scheme = value;
    else if (name == "key-source") d.key_source = value;
    else if (name == "kdf") d.kdf = value;
    else if (name == "kdf-iterations") d.iterations = std::atoi(value.c_str());
    else if (name == "salt" && !HexDecode(value, &d.salt)) return bad("salt is not hex");
    else if (name == "key-check" && !HexDecode(value, &d.key_check)) return bad("key-check is not hex");
  }
  if (d.version != 1 || d.scheme != kScheme) {
    return bad("version " + std::to_string(d.version) + ", scheme \"" + d.scheme +
               "\" is not supported (this metactl knows version 1, " + kScheme +
               "): use a newer metactl");
  }
  if (d.salt.size() != 32 || d.key_check.size() != 32 || d.iterations < 1) {
    return bad("salt, key-check or kdf-iterations missing or malformed");
  }
  return d;
}

std::string SourceText(KeyMaterial::Kind k) {
  return k == KeyMaterial::Kind::kRawKey ? "raw-key" : "passphrase";
}

// Makes a location without descriptor encrypted, when it holds nothing yet.
Result<std::shared_ptr<BackupCipher>> SetUpEncryption(ObjectStore& store,
                                                      const KeyMaterial& key) {
  RS_ASSIGN_OR_RETURN(auto manifests, store.List(kManifestDir));
  RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
  if (!manifests.empty() || !blocks.empty()) {
    return Status::InvalidArgument(
        "location " + store.Describe() + " holds unencrypted backups (" +
        std::to_string(manifests.size()) + " manifest(s), " + std::to_string(blocks.size()) +
        " block(s)): encrypted and unencrypted backups cannot share a location; back up with "
        "--encryption-key-file to a new location, or without it to this one");
  }
  Descriptor d;
  d.version = 1;
  d.scheme = kScheme;
  d.key_source = SourceText(key.kind);
  d.kdf = key.kind == KeyMaterial::Kind::kRawKey ? "none" : "pbkdf2-hmac-sha256";
  d.iterations = kPbkdf2Iterations;
  d.salt.resize(32);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(d.salt.data()), 32) != 1) {
    return Status::Internal("RAND_bytes failed");
  }
  RS_ASSIGN_OR_RETURN(auto cipher, BackupCipher::Derive(key, d.salt, d.iterations));
  d.key_check = cipher->KeyCheck();
  PutOptions po;
  po.if_none_match = true;  // two first backups at once: one descriptor wins, the other re-reads
  RS_RETURN_IF_ERROR(store.Put(kEncryptionDescriptorKey, EncodeDescriptor(d), po));
  RS_RETURN_IF_ERROR(store.Put("README.md", RepositoryReadme(/*encrypted=*/true), {}));
  return cipher;
}

Result<std::shared_ptr<BackupCipher>> CheckKey(ObjectStore& store, const Descriptor& d,
                                               const KeyMaterial& key) {
  RS_ASSIGN_OR_RETURN(auto cipher, BackupCipher::Derive(key, d.salt, d.iterations));
  std::string check = cipher->KeyCheck();
  if (CRYPTO_memcmp(check.data(), d.key_check.data(), 32) != 0) {
    std::string hint = d.key_source == SourceText(key.kind)
                           ? ""
                           : " (the location was encrypted with a " +
                                 std::string(d.key_source == "raw-key" ? "32-byte key file"
                                                                       : "passphrase file") +
                                 ", this file is a " +
                                 (key.kind == KeyMaterial::Kind::kRawKey ? "32-byte key file"
                                                                         : "passphrase file") +
                                 ")";
    return Status::InvalidArgument("--encryption-key-file " + key.file +
                                   " is not the key of location " + store.Describe() +
                                   " (its key check value does not match)" + hint +
                                   ": give the key file of the location's first encrypted backup");
  }
  return cipher;
}

}  // namespace

std::unique_ptr<ObjectStore> NewEncryptedStore(std::unique_ptr<ObjectStore> inner,
                                               std::shared_ptr<BackupCipher> cipher) {
  return std::make_unique<EncryptedStore>(std::move(inner), std::move(cipher));
}

Result<std::unique_ptr<ObjectStore>> OpenLocationStore(std::unique_ptr<ObjectStore> store,
                                                       const std::string& key_file,
                                                       bool for_backup) {
  const std::string where = store->Describe();
  auto raw = store->Get(kEncryptionDescriptorKey);
  if (!raw.ok() && raw.status().code() != Status::Code::kNotFound) return raw.status();
  if (!raw.ok()) {  // a plaintext location (or a new one)
    if (key_file.empty()) return store;
    if (!for_backup) {
      return Status::InvalidArgument("location " + where + " is not encrypted (it has no `" +
                                     kEncryptionDescriptorKey + "` object): drop "
                                     "--encryption-key-file");
    }
    RS_ASSIGN_OR_RETURN(KeyMaterial key, ReadKeyFile(key_file));
    auto cipher = SetUpEncryption(*store, key);
    if (cipher.ok()) return NewEncryptedStore(std::move(store), std::move(*cipher));
    if (cipher.status().code() != Status::Code::kAlreadyExists) return cipher.status();
    RS_ASSIGN_OR_RETURN(*raw, store->Get(kEncryptionDescriptorKey));  // another backup won
  }
  RS_ASSIGN_OR_RETURN(Descriptor d, DecodeDescriptor(*raw, where));
  if (key_file.empty()) {
    return Status::InvalidArgument("location " + where + " is encrypted (" + d.scheme + ", key "
                                   "from a " + (d.key_source == "raw-key" ? "32-byte key file"
                                                                          : "passphrase file") +
                                   "): give its key with --encryption-key-file FILE");
  }
  RS_ASSIGN_OR_RETURN(KeyMaterial key, ReadKeyFile(key_file));
  RS_ASSIGN_OR_RETURN(auto cipher, CheckKey(*store, d, key));
  return NewEncryptedStore(std::move(store), std::move(cipher));
}

}  // namespace raftstore::backup
