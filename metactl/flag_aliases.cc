#include "metactl/flag_aliases.h"

#include <spdlog/spdlog.h>

#include "metactl/client/client_flags.h"
#include "raftstore/common/endpoint.h"
#include "raftstore/common/endpoint_flag.h"

namespace metactl {

using raftstore::Status;

namespace {

void WarnAlias(const std::string& cmd, const std::string& alias, const std::string& instead) {
  spdlog::warn("metactl {}: {} is an old spelling, accepted until the next release: {}", cmd, alias, instead);
}

}  // namespace

void LocationFlag::Add(CLI::App* cmd, const std::string& alias) {
  CLI::Option* pos = cmd->add_option("location", positional_, "backup location: a directory or s3://bucket/prefix")
                         ->required();
  if (alias.empty()) return;
  alias_ = alias;
  cmd->add_option(alias, "old spelling of LOCATION")
      ->group("")  // hidden
      ->trigger_on_parse()
      ->each([this, pos](const std::string& v) {
        alias_value_ = v;
        pos->required(false);
      });
}

raftstore::Result<std::string> LocationFlag::Get(const std::string& cmd) const {
  if (alias_value_.empty()) return positional_;
  if (!positional_.empty()) {
    return Status::InvalidArgument("the location is given twice (" + positional_ + " and " + alias_ + " " +
                                   alias_value_ + "): give it once, as the first argument");
  }
  WarnAlias(cmd, alias_, "give the location as the first argument (metactl " + cmd + " LOCATION ...)");
  return alias_value_;
}

CLI::Option* GrpcAddressFlag::Add(CLI::App* cmd, const std::string& help, const std::string& alias) {
  CLI::Option* main = cmd->add_option("--grpc-api-address", addrs_, help)->check(raftstore::HostPortFlag());
  alias_ = alias;
  cmd->add_option(alias, alias_addrs_, "old spelling of --grpc-api-address")->group("");  // hidden
  client::AddTlsFlags(cmd);
  return main;
}

raftstore::Result<std::vector<std::string>> GrpcAddressFlag::Get(const std::string& cmd) const {
  for (const auto& v : alias_addrs_) {
    auto hp = raftstore::ParseHostPort(v, alias_ + ": \"" + v + "\"");
    if (!hp.ok()) return Status::InvalidArgument(hp.status().message());
  }
  if (!alias_addrs_.empty()) WarnAlias(cmd, alias_, "use --grpc-api-address");
  std::vector<std::string> all = addrs_;
  all.insert(all.end(), alias_addrs_.begin(), alias_addrs_.end());
  return all;
}

}  // namespace metactl
