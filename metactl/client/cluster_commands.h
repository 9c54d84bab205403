// `metactl status` and `metactl members`: what a live metasrv says about itself and its cluster.
#pragma once

#include <memory>
#include <vector>

#include "metactl/command.h"

namespace metactl::client {

// status, members (in --help order).
std::vector<std::unique_ptr<Command>> ClusterCommands();

}  // namespace metactl::client
