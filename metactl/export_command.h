// `metactl export`: a stopped raft dir, or a live metasrv over gRPC, as V004 lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "metactl/client/credential_flags.h"
#include "metactl/command.h"
#include "metactl/long_job.h"
#include "metactl/prefix_flags.h"

namespace metactl {

class ExportCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::string raft_dir_;
  std::vector<std::string> grpc_addrs_;
  int timeout_sec_ = 10;
  uint32_t chunk_size_ = 0;
  std::string db_;
  bool no_footer_ = false;
  PrefixFlags prefixes_;
  ProgressFlag progress_;
  client::CredentialFlags login_;  // with --grpc-api-address and auth enabled
  CLI::Option* timeout_opt_ = nullptr;
  CLI::Option* chunk_size_opt_ = nullptr;
};

}  // namespace metactl
