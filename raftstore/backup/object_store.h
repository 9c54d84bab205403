// Object stores behind a backup location: a local directory or s3://bucket/prefix.
//
// Contract: keys are '/'-separated names relative to the location ("data/<sha256>",
// "manifests/<id>.manifest", "locks/<name>.lock", "README.md"). Put is atomic: a reader sees
// either no object or the whole object, never a partial one, and an object counts as written
// only once Put returned OK (local: synced file + synced rename; S3: 200 from PUT). Every method
// is safe to call from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftstore/backup/hash.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

struct ObjectInfo {
  std::string key;   // relative to the location
  uint64_t size = 0;
};

struct PutOptions {
  // Fail with AlreadyExists instead of replacing an existing object (S3: If-None-Match: *).
  bool if_none_match = false;
  // Lowercase hex SHA-256 of the data when the caller already has it (S3 sends it as
  // x-amz-content-sha256 so the server rejects a body damaged in transit).
  std::string sha256_hex;
};

struct StoreCounters {
  std::atomic<uint64_t> puts{0};
  std::atomic<uint64_t> put_bytes{0};
  std::atomic<uint64_t> gets{0};
  std::atomic<uint64_t> deletes{0};
  std::atomic<uint64_t> lists{0};
  std::atomic<uint64_t> retries{0};
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  // "directory /path" or "s3://bucket/prefix (endpoint ...)": used in messages.
  virtual std::string Describe() const = 0;
  virtual raftstore::Status Put(const std::string& key, std::string_view data,
                                const PutOptions& options) = 0;
  // NotFound when absent.
  virtual raftstore::Result<std::string> Get(const std::string& key) = 0;
  // nullopt when absent; the object's size otherwise.
  virtual raftstore::Result<std::optional<uint64_t>> Head(const std::string& key) = 0;
  // Every object whose key starts with `prefix`, sorted by key.
  virtual raftstore::Result<std::vector<ObjectInfo>> List(const std::string& prefix) = 0;
  // OK when the object is absent.
  virtual raftstore::Status Delete(const std::string& key) = 0;

  // A block's id (its name under data/ and BlockRef.sha256): its SHA-256, or on an encrypted
  // location an HMAC under the location's key (encryption.h).
  virtual Digest BlockId(std::string_view data) const { return Sha256Digest(data); }
  // True when objects under data/ and manifests/ are encrypted (encryption.h).
  virtual bool Encrypted() const { return false; }

  virtual StoreCounters& counters() { return counters_; }

 protected:
  StoreCounters counters_;
};

// Settings for s3:// locations; empty fields fall back to the AWS_* environment variables.
struct S3Settings {
  std::string endpoint;        // --s3-endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
  std::string region;          // --s3-region, AWS_REGION, AWS_DEFAULT_REGION, "us-east-1"
  std::string access_key_id;   // --s3-access-key-id, AWS_ACCESS_KEY_ID
  std::string secret_access_key;  // AWS_SECRET_ACCESS_KEY (flag: --s3-secret-access-key)
  std::string session_token;   // AWS_SESSION_TOKEN
  std::string addressing;      // "path", "virtual" or "" (path with a custom endpoint)
  int max_attempts = 8;        // per request, with exponential backoff and jitter (AWS_MAX_ATTEMPTS)
  int base_backoff_ms = 200;
};

// Opens `location`: "s3://bucket[/prefix]" or a local directory path (created when
// create_dir is true, e.g. for backup; other commands require it to exist).
raftstore::Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& location,
                                                                const S3Settings& s3,
                                                                bool create_dir);

std::unique_ptr<ObjectStore> NewLocalStore(const std::string& root);

}  // namespace raftstore::backup
