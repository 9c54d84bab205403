// `metactl get | list | upsert | delete | watch`: keys of a live metasrv.
#pragma once

#include <memory>
#include <vector>

#include "metactl/command.h"

namespace metactl::client {

// get, list, upsert, delete, watch (in --help order).
std::vector<std::unique_ptr<Command>> KvCommands();

}  // namespace metactl::client
