// metactl agent: the backup service (docs/backup-service.md). Backs up a cluster's metadata
// (--grpc-api-address, or --meta-raft-dir) and data dirs to LOCATION every --interval, applies
// the retention flags after each success, and serves the HTTP API of metactl/agent/agent_http.h
// on --http-address. Runs until SIGTERM/SIGINT: a running backup is abandoned cleanly (no
// manifest, its lock released), then the process exits 0.
#include <fstream>
#include <iostream>

#include <spdlog/spdlog.h>

#include "metactl/agent/agent.h"
#include "metactl/agent/agent_http.h"
#include "metactl/backup_flags.h"
#include "metactl/backup_settings.h"
#include "metactl/client/format.h"
#include "metactl/flag_aliases.h"
#include "metactl/restore_options.h"
#include "metactl/retention_flags.h"
#include "raftstore/common/file_util.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/settings_file.h"

namespace metactl {
namespace {

namespace backup = raftstore::backup;
using raftstore::Result;
using raftstore::Status;

class AgentCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("agent",
                              "Run the backup service: scheduled backups to LOCATION, retention, "
                              "an HTTP API and metrics (docs/backup-service.md)");
    raftstore::AddSubcommandSettingsFile(cmd_, &config_file_);
    // LOCATION as the first argument, or location = "..." in the --config file.
    cmd_->add_option("location", location_arg_, "backup location: a directory or s3://bucket/prefix");
    cmd_->add_option("--location", location_flag_, "the location, as the --config file's key `location`")
        ->group("");  // hidden: the positional is the documented form
    settings_.Add(cmd_);
    cmd_->add_option("--interval", interval_text_,
                     "time between scheduled backups, e.g. 30m, 1h, 2s; 0 for none (backups on "
                     "POST /backups only) (default 1h)");
    cmd_->add_option("--jitter", jitter_, "move each scheduled time by up to this fraction of "
                                          "the interval, at random (default 0.1)")
        ->check(CLI::Range(0.0, 0.5));
    cmd_->add_option("--max-backoff", max_backoff_text_,
                     "longest wait before retrying after failed scheduled backups (default: 8 "
                     "intervals)");
    retention_.Add(cmd_);
    cmd_->add_option("--http-address", http_address_,
                     "serve the HTTP API on HOST:PORT (port 0: any free port; off unless given)");
    cmd_->add_option("--http-token-file", http_token_file_,
                     "file (mode 0600) with the bearer token every path but /healthz and "
                     "/metrics needs");
    cmd_->add_option("--http-cert-file", http_cert_file_, "PEM certificate: the HTTP API over TLS");
    cmd_->add_option("--http-key-file", http_key_file_, "PEM private key of --http-cert-file");
    cmd_->add_option("--http-trusted-ca-file", http_ca_file_,
                     "PEM CA bundle for client certificates (with --http-client-cert-auth)");
    cmd_->add_flag("--http-client-cert-auth", http_client_cert_auth_,
                   "require a client certificate signed by --http-trusted-ca-file");
    cmd_->add_option("--address-file", address_file_,
                     "once serving, write http_address=HOST:PORT to FILE (atomically)");
    return cmd_;
  }

  int Run() override {
    auto options = BuildOptions();
    if (!options.ok()) return BackupFail("agent", options.status());
    raftstore::InterruptScope interruptible;  // SIGTERM/SIGINT: a running backup ends without a manifest
    agent::Agent agent(std::move(*options));
    std::unique_ptr<raftstore::http::HttpServer> http;
    if (!http_address_.empty()) {
      auto server = StartHttp(agent);
      if (!server.ok()) return BackupFail("agent", server.status());
      http = std::move(*server);
    }
    agent.Start();
    spdlog::info("metactl agent: backing up to {} every {}{}", location_text_, interval_text_,
                 http ? ", HTTP API on " + http->scheme() + "://" + http_address_ : "");
    WaitForSignal();
    spdlog::info("metactl agent: stopping (a running backup is abandoned: no manifest)");
    agent.Stop();
    if (http) http->Stop();
    return kExitOk;
  }

 private:
  Result<agent::AgentOptions> BuildOptions() {
    RS_RETURN_IF_ERROR(raftstore::ApplySettingsFile(cmd_, config_file_));
    if (!location_arg_.empty() && !location_flag_.empty() && location_arg_ != location_flag_) {
      return Status::InvalidArgument("the location is given twice (" + location_arg_ + " and --location " +
                                     location_flag_ + "): give it once");
    }
    location_text_ = location_arg_.empty() ? location_flag_ : location_arg_;
    if (location_text_.empty()) {
      return Status::InvalidArgument("no backup location: give it as the first argument (metactl agent LOCATION) "
                                     "or as location = \"...\" in the --config file");
    }
    RS_ASSIGN_OR_RETURN(auto addrs, settings_.Addresses("agent"));
    // Checked once here, so a bad flag stops the agent at start rather than at each backup.
    RS_RETURN_IF_ERROR(settings_.Options(addrs, false).status());
    agent::AgentOptions o;
    o.location = location_text_;
    if (interval_text_ != "0") {
      auto interval = client::ParseDuration(interval_text_);
      if (!interval.ok()) return interval.status().WithContext("--interval " + interval_text_);
      o.interval = *interval;
    }
    o.jitter = jitter_;
    o.max_backoff = o.interval * 8;
    if (!max_backoff_text_.empty()) {
      auto backoff = client::ParseDuration(max_backoff_text_);
      if (!backoff.ok()) return backoff.status().WithContext("--max-backoff " + max_backoff_text_);
      o.max_backoff = *backoff;
    }
    if (retention_.given()) {
      RS_RETURN_IF_ERROR(backup::ValidatePolicy(retention_.Policy()));
      o.retention = retention_.Policy();
    }
    const std::string location = location_text_;
    const BackupSettings* settings = &settings_;
    o.open_store = [location, settings](bool for_backup) {
      return OpenBackupLocation(location, settings->s3(), /*create_dir=*/for_backup, settings->key_file(),
                                for_backup);
    };
    o.backup_options = [settings, addrs](const raftstore::KeyFilter* filter) {
      return settings->Options(addrs, /*progress=*/false, filter);
    };
    o.restore_options = [](const RestoreTargets& t) -> Result<backup::RestoreOptions> {
      RS_ASSIGN_OR_RETURN(auto built, MakeRestoreOptions(t));
      return std::move(built.restore);
    };
    return o;
  }

  Result<std::unique_ptr<raftstore::http::HttpServer>> StartHttp(agent::Agent& agent) {
    raftstore::http::HttpServerOptions h;
    h.address = http_address_;
    h.address_flag = "--http-address";
    h.cert_file = http_cert_file_;
    h.key_file = http_key_file_;
    h.ca_file = http_ca_file_;
    h.client_cert_auth = http_client_cert_auth_;
    if (!http_token_file_.empty()) {
    RS_ASSIGN_OR_RETURN(h.token, raftstore::http::ReadTokenFile(http_token_file_));
  }
    RS_ASSIGN_OR_RETURN(auto server, raftstore::http::HttpServer::Create(std::move(h)));
    agent::RegisterAgentRoutes(*server, agent);
    RS_RETURN_IF_ERROR(server->Start());
    http_address_ = server->address();
    if (!address_file_.empty()) {
      raftstore::StageOptions so;
      so.create_hint = "(--address-file: is its directory there and writable?)";
      RS_RETURN_IF_ERROR(raftstore::WriteFileStaged(address_file_, "http_address=" + http_address_ + "\n", so)
                             .WithContext("--address-file " + address_file_));
    }
    return server;
  }

  // Blocks until SIGTERM or SIGINT (the interrupt handler's flag; raftstore/common/interrupt.h).
  static void WaitForSignal() {
    std::mutex mu;
    std::condition_variable cv;
    raftstore::CancelOnInterrupt wake([&] { cv.notify_all(); });
    std::unique_lock<std::mutex> lk(mu);
    while (!raftstore::Interrupted()) cv.wait_for(lk, std::chrono::milliseconds(200));
  }

  CLI::App* cmd_ = nullptr;
  std::string config_file_, location_arg_, location_flag_;
  BackupSettings settings_;
  RetentionFlags retention_;
  std::string location_text_, interval_text_ = "1h", max_backoff_text_;
  double jitter_ = 0.1;
  std::string http_address_, http_token_file_, http_cert_file_, http_key_file_, http_ca_file_;
  bool http_client_cert_auth_ = false;
  std::string address_file_;
};

}  // namespace

std::unique_ptr<Command> NewAgentCommand() { return std::make_unique<AgentCommand>(); }

}  // namespace metactl
