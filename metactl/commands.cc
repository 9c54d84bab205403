#include "metactl/command.h"
#include "metactl/export_command.h"
#include "metactl/import_command.h"
#ifdef METACTL_HAS_BACKUP  // defined by CMake when metactl/backup is part of the build
#include "metactl/backup/backup_commands.h"
#endif

namespace metactl {

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<ExportCommand>());
  all.push_back(std::make_unique<ImportCommand>());
#ifdef METACTL_HAS_BACKUP
  for (auto& c : BackupCommands()) all.push_back(std::move(c));
#endif
  return all;
}

}  // namespace metactl
