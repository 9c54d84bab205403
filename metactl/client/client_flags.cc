#include "metactl/client/client_flags.h"

#include <cstdlib>
#include <set>

#include <spdlog/spdlog.h>

#include "metactl/command.h"
#include "raftstore/common/endpoint_flag.h"
#include "raftstore/rpc/tls.h"
#include "raftstore/rpc/tls_probe.h"

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
  AddTlsFlags(cmd);
}

namespace {

struct TlsFlagValues {
  std::string cacert, cert, key;
  std::set<const CLI::App*> commands;  // the subcommands that declared them
};

TlsFlagValues& TlsValues() {
  static TlsFlagValues v;
  return v;
}

// The flag's value, else the variable's; *from names where it came from, for messages.
std::string FlagOrEnv(const std::string& flag_value, const char* env, std::string* from, const char* flag) {
  if (!flag_value.empty()) {
    *from = flag;
    return flag_value;
  }
  const char* v = std::getenv(env);
  *from = v != nullptr && *v != '\0' ? env : flag;  // unset: hints name the flag
  return v != nullptr ? v : "";
}

bool RunsTlsCommand(const CLI::App& app, const std::set<const CLI::App*>& commands) {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (commands.count(sub) > 0 || RunsTlsCommand(*sub, commands)) return true;
  }
  return false;
}

}  // namespace

void AddTlsFlags(CLI::App* cmd) {
  TlsFlagValues& v = TlsValues();
  if (!v.commands.insert(cmd).second) return;
  cmd->add_option("--cacert", v.cacert, "PEM CA bundle that signs the server's certificate: TLS on (env METACTL_CACERT)")
      ->group("TLS");
  cmd->add_option("--cert", v.cert, "PEM client certificate, for a server with --client-cert-auth (env METACTL_CERT)")
      ->group("TLS");
  cmd->add_option("--key-file", v.key, "PEM private key of --cert (env METACTL_KEY)")->group("TLS");
}

raftstore::Status ApplyTlsFlags(const CLI::App& app) {
  const TlsFlagValues& v = TlsValues();
  if (!RunsTlsCommand(app, v.commands)) return raftstore::Status::OK();
  // Messages name where each file came from: the flag, or the variable.
  static std::string ca_from, cert_from, key_from;
  raftstore::rpc::TlsFiles files;
  files.ca_file = FlagOrEnv(v.cacert, "METACTL_CACERT", &ca_from, "--cacert");
  files.cert_file = FlagOrEnv(v.cert, "METACTL_CERT", &cert_from, "--cert");
  files.key_file = FlagOrEnv(v.key, "METACTL_KEY", &key_from, "--key-file");
  if (files.empty()) return raftstore::Status::OK();
  if (files.ca_file.empty()) {
    return raftstore::Status::InvalidArgument("--cert/--key-file without --cacert: give the CA that signs the server's "
                                              "certificate (--cacert or METACTL_CACERT)");
  }
  const raftstore::rpc::TlsFlagNames names{cert_from.c_str(), key_from.c_str(), ca_from.c_str()};
  RS_ASSIGN_OR_RETURN(raftstore::rpc::TlsMaterial m,
                      raftstore::rpc::LoadTlsFiles(files, names, /*expired_is_error=*/true));
  auto id = raftstore::rpc::TlsIdentity::Static(std::move(m), files, names);
  raftstore::rpc::SetPlaneTls(raftstore::rpc::Plane::kClientApi, std::move(id));
  return raftstore::Status::OK();
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
