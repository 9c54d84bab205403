// One vocabulary across metactl (docs/backup.md, "Commands"): a backup location is the first
// positional argument LOCATION of every backup command, and a metasrv address is
// --grpc-api-address. The spellings used before (`backup --to`, `restore --from`,
// `backup --meta-grpc`) stay accepted for one release as hidden aliases (not in --help), with a
// warning naming the new spelling.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "raftstore/common/status.h"

namespace metactl {

// LOCATION (required) and, when `alias` is not empty, the hidden alias option (e.g. "--to").
// Giving the alias makes LOCATION optional; CLI11 leaves a required positional to LOCATION even
// after a repeatable option (`backup --data a b LOC`), which is why LOCATION stays required
// until the alias is seen.
class LocationFlag {
 public:
  void Add(CLI::App* cmd, const std::string& alias = "");
  // The location; InvalidArgument when given both ways. Warns on stderr when the alias was used.
  raftstore::Result<std::string> Get(const std::string& cmd) const;

 private:
  std::string positional_, alias_value_, alias_;
};

// --grpc-api-address HOST:PORT (repeatable) and the hidden alias `alias` (e.g. "--meta-grpc").
// Returns the --grpc-api-address option (for excludes()). CLI11 names no hidden option in its
// messages, so the alias's values are checked by Get(), not by CLI11.
class GrpcAddressFlag {
 public:
  CLI::Option* Add(CLI::App* cmd, const std::string& help, const std::string& alias);
  // The addresses given either way (both: in the order --grpc-api-address, alias); warns on
  // stderr when the alias was used. InvalidArgument `ALIAS: "VALUE": why` (the form CLI11 gives
  // for --grpc-api-address) for a malformed alias value.
  raftstore::Result<std::vector<std::string>> Get(const std::string& cmd) const;
  bool alias_given() const { return !alias_addrs_.empty(); }

 private:
  std::vector<std::string> addrs_, alias_addrs_;
  std::string alias_;
};

}  // namespace metactl
