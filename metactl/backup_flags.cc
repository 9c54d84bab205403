#include "metactl/backup_flags.h"

#include <iostream>

#include "raftstore/backup/encryption.h"

namespace metactl {

namespace backup = raftstore::backup;
using raftstore::Status;

int BackupFail(const std::string& cmd, const Status& st) {
  std::cerr << "metactl " << cmd << ": " << st.ToString() << std::endl;
  return st.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
}

void AddS3Options(CLI::App* app, backup::S3Settings* s) {
  app->add_option("--s3-endpoint", s->endpoint,
                  "S3 endpoint URL, e.g. http://127.0.0.1:9000 (default: AWS_ENDPOINT_URL, "
                  "else AWS's regional endpoint)")
      ->group("S3");
  app->add_option("--s3-region", s->region, "S3 region (default: AWS_REGION, else us-east-1)")
      ->group("S3");
  app->add_option("--s3-access-key-id", s->access_key_id, "default: AWS_ACCESS_KEY_ID")
      ->group("S3");
  app->add_option("--s3-secret-access-key", s->secret_access_key,
                  "default: AWS_SECRET_ACCESS_KEY (prefer the environment variable)")
      ->group("S3");
  app->add_option("--s3-session-token", s->session_token, "default: AWS_SESSION_TOKEN")
      ->group("S3");
  app->add_option("--s3-addressing", s->addressing,
                  "path or virtual (default: path with a custom endpoint, else virtual)")
      ->check(CLI::IsMember({"path", "virtual"}))
      ->group("S3");
}

void AddEncryptionOption(CLI::App* app, std::string* key_file) {
  app->add_option("--encryption-key-file", *key_file,
                  "key of an encrypted location: a file of exactly 32 random bytes, or a "
                  "passphrase file (mode 0600; losing it loses the backups)")
      ->group("Encryption");
}

raftstore::Result<std::unique_ptr<backup::ObjectStore>> OpenBackupLocation(
    const std::string& location, const backup::S3Settings& s3, bool create_dir,
    const std::string& key_file, bool for_backup) {
  // A bad key file (missing, readable by others) is refused before a location is created.
  if (!key_file.empty()) RS_RETURN_IF_ERROR(backup::ReadKeyFile(key_file).status());
  RS_ASSIGN_OR_RETURN(auto store, backup::OpenObjectStore(location, s3, create_dir));
  return backup::OpenLocationStore(std::move(store), key_file, for_backup);
}

}  // namespace metactl
