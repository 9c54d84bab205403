#include "metactl/client/client_flags.h"

#include <spdlog/spdlog.h>

#include "metactl/command.h"
#include "raftstore/common/endpoint_flag.h"

namespace metactl::client {

void ClientFlags::Add(CLI::App* cmd, bool with_json) {
  cmd->add_option("--grpc-api-address", addrs,
                  std::string("metasrv gRPC API address HOST:PORT; repeatable, the first that "
                              "answers is used (default ") + kDefaultAddress + ")")
      ->check(raftstore::HostPortFlag());
  cmd->add_option("--timeout", timeout_sec,
                  "seconds to wait for an answer, retries included (streams: for the next message)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  if (with_json) cmd->add_flag("--json", json, "machine-readable JSON output on stdout");
  login.Add(cmd);
}

raftstore::client::RetryOptions ClientFlags::Retry() const {
  raftstore::client::RetryOptions r;
  r.addrs = addrs;
  r.timeout = std::chrono::seconds(timeout_sec);
  return r;
}

int Fail(const raftstore::Status& st) {
  spdlog::error("{}", st.message());
  return kExitFailure;
}

int UsageError(const std::string& message) {
  spdlog::error("{}", message);
  return kExitUsage;
}

}  // namespace metactl::client
