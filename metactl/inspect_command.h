// `metactl inspect`: what an export stream, or the metadata of a backup, holds (etcd's
// `snapshot status`, Consul's `snapshot inspect`), without importing it.
#pragma once

#include <memory>

#include "metactl/command.h"

namespace metactl {

std::unique_ptr<Command> NewInspectCommand();

}  // namespace metactl
