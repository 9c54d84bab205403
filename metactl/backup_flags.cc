#include "metactl/backup_flags.h"

#include <iostream>

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


}  // namespace metactl
