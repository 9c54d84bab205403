// The CLI11 check of every address flag (metasrv's --grpc-api-address, --raft-address, --join;
// metactl's --grpc-api-address, --meta-grpc, members add's addresses): the one HOST:PORT parser
// (endpoint.h) run while the command line, or metasrv's TOML file, is parsed. A bad value is
// then a CLI::ValidationError, a usage error (exit 2) printed before anything is done, as
//   --raft-address: "127.0.0.1": no port: expected HOST:PORT, e.g. "127.0.0.1:9191"
// (CLI11 puts the flag's name first; the rest is ParseHostPort's message). Applies to each value
// of a repeated flag.
#pragma once

#include <CLI/CLI.hpp>

#include "raftstore/common/endpoint.h"

namespace raftstore {

// Usage: app->add_option("--join", addr, "...")->check(HostPortFlag());
// PortZero::kAllow only for an address this process listens on (metasrv's own addresses).
CLI::Validator HostPortFlag(PortZero port_zero = PortZero::kRefuse);

}  // namespace raftstore
