// HOST:PORT: the one parser of a network address given by a person (metasrv's flags and config,
// every address flag of metactl, --initial-cluster, AddMember's raft address).
//
// Strict, so that a typo is refused where it is typed instead of showing later as a node
// nobody can reach, a "Connection refused" or a resolver error:
//  - HOST is not empty: a name or IPv4 address (letters, digits, '.', '-', '_'), or an IPv6
//    address in brackets ("[::1]"; the brackets are kept in `host`, so host + ":" + port is the
//    address again). A bare IPv6 address ("::1:80") is refused: which colon starts the port
//    would be a guess.
//  - No scheme ("http://"), no path, no user: a gRPC address is not a URL.
//  - One address: a comma (a list) is refused; a flag that takes several is repeated.
//  - PORT is a decimal number from 1 to 65535, nothing after it. Port 0 ("any free port") only
//    where the address is one to listen on (PortZero::kAllow: metasrv's --grpc-api-address and
//    --raft-address, which then advertises the port it got); an address to connect to never.
//  - No spaces anywhere.
// Errors are InvalidArgument "<what>: <why>"; `what` names the flag or field and the value as
// given, e.g. `--raft-address "node1:0"`; `why` shows the form wanted (HOST:PORT, with an
// example built from the value where one can be).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/common/status.h"

namespace raftstore {

struct HostPort {
  std::string host;  // "[v6]" with its brackets
  uint16_t port = 0;

  std::string ToString() const { return host + ":" + std::to_string(port); }
};

enum class PortZero { kRefuse, kAllow };

Result<HostPort> ParseHostPort(std::string_view text, const std::string& what,
                               PortZero port_zero = PortZero::kRefuse);

// `flag "value"`: the `what` of a flag's value, for ParseHostPort and other messages.
std::string FlagValue(std::string_view flag, std::string_view value);

}  // namespace raftstore
