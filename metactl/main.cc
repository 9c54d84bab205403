// metactl: the operator's tool for metasrv raft dirs and clusters.
#include <sys/stat.h>

#include <csignal>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "metactl/client/client_flags.h"
#include "metactl/command.h"
#include "metactl/unknown_command.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/log_level.h"
#include "raftstore/common/malloc_tuning.h"
#include "raftstore/common/progress.h"
#include "raftstore/common/version.h"
#include "raftstore/rpc/grpc_runtime.h"
#include "raftstore/rpc/tls_probe.h"

int main(int argc, char** argv) {
  // SIGINT/SIGTERM stop the long jobs cleanly (common/interrupt.h).
  raftstore::InstallInterruptHandler();
  // Logs go to stderr (each ends a drawn progress line first); stdout carries data only.
  auto logger = std::make_shared<spdlog::logger>(
      "metactl", raftstore::ProgressAwareSink(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()));
  logger->set_pattern("%^[%l]%$ %v");
  spdlog::set_default_logger(logger);
  // A closed pipe is reported as a write error, not a silent death.
  std::signal(SIGPIPE, SIG_IGN);
  std::ios::sync_with_stdio(false);
  // Whatever metactl creates (exports and their .part, raft dirs, staging dirs, backup objects
  // in a local location, lock files) holds metadata: private to the user.
  ::umask(077);
  raftstore::rpc::TuneGrpcRuntime();
  raftstore::KeepFreedMemory();  // best effort: without it only slower (common/malloc_tuning.h)
  // metactl prints its own one-line error for a failed handshake (rpc/tls_probe.h).
  raftstore::rpc::RouteGrpcLogsToSpdlog(/*debug_only=*/true);
  // Tests crash or fail named steps (import, restore, backup) on purpose: common/failpoint.h.
  if (raftstore::Status st = raftstore::failpoint::ArmFromEnv(); !st.ok()) {
    std::cerr << "metactl: " << st.message() << std::endl;
    return metactl::kExitUsage;
  }

  CLI::App app{"metactl: export, import and back up metasrv metadata"};
  app.require_subcommand(1);
  // Every command's --help shows each option's default (subcommands inherit this).
  app.option_defaults()->always_capture_default();
  app.set_version_flag("--version", raftstore::VersionLine("metactl"), "print the version, git commit and build type, and exit");
  std::string log_level = "info";
  raftstore::AddLogLevelFlag(&app, &log_level);
  auto commands = metactl::AllCommands();
  std::vector<CLI::App*> subs;
  for (auto& c : commands) subs.push_back(c->Register(app));
  if (std::string unknown = metactl::UnknownCommandMessage(app, argc, argv); !unknown.empty()) {
    std::cerr << "metactl: " << unknown << std::endl;
    return metactl::kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : metactl::kExitUsage;
  }
  spdlog::set_level(raftstore::ParseLogLevel(log_level).value());  // checked while parsing
  if (raftstore::Status st = metactl::client::ApplyTlsFlags(app); !st.ok()) return metactl::client::Fail(st);
  for (size_t i = 0; i < subs.size(); ++i) {
    if (subs[i]->parsed()) return commands[i]->Run();
  }
  return metactl::kExitUsage;
}
