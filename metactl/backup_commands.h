// metactl subcommands of the block copier: backup, backups, restore, verify, vacuum.
#pragma once

#include <memory>
#include <vector>

#include "metactl/command.h"

namespace metactl {

// Appended by metactl/main.cc to AllCommands().
std::vector<std::unique_ptr<Command>> BackupCommands();

}  // namespace metactl
