// HOST:PORT: the one parser of a network address given by a person (metasrv's flags and config,
// metactl's --initial-cluster, AddMember's raft address).
//
// Strict, so that a typo is refused where it is typed instead of showing later as a node
// nobody can reach:
//  - HOST is not empty: a name or IPv4 address, or an IPv6 address in brackets ("[::1]"; the
//    brackets are kept in `host`, so host + ":" + port is the address again). A bare IPv6
//    address ("::1:80") is refused: which colon starts the port would be a guess.
//  - PORT is a decimal number from 1 to 65535, nothing after it.
//  - No spaces anywhere.
// Errors are InvalidArgument "<what>: <why>"; `what` names the flag or field and the value as
// given, e.g. `--raft-address "node1:0"`.
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

Result<HostPort> ParseHostPort(std::string_view text, const std::string& what);

// `flag "value"`: the `what` of a flag's value, for ParseHostPort and other messages.
std::string FlagValue(std::string_view flag, std::string_view value);

}  // namespace raftstore
