// `metactl user ...` and `metactl auth ...`: users, roles and the auth switch of a live
// cluster (docs/auth.md).
#pragma once

#include <memory>
#include <vector>

#include "metactl/command.h"

namespace metactl::client {

// user (add, list, remove, passwd), auth (enable, disable, status), in --help order.
std::vector<std::unique_ptr<Command>> AuthCommands();

}  // namespace metactl::client
