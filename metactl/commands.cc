#include "metactl/client/cluster_commands.h"
#include "metactl/client/kv_commands.h"
#include "metactl/command.h"
#include "metactl/export_command.h"
#include "metactl/import_command.h"
#ifdef METACTL_HAS_BACKUP  // defined by CMake when metactl/backup is part of the build
#include "metactl/backup/backup_commands.h"
#endif

namespace metactl {

// --help order: moving data (export, import), a live cluster (status, members, then its keys),
// then the block copier.
std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<ExportCommand>());
  all.push_back(std::make_unique<ImportCommand>());
  for (auto& c : client::ClusterCommands()) all.push_back(std::move(c));
  for (auto& c : client::KvCommands()) all.push_back(std::move(c));
#ifdef METACTL_HAS_BACKUP
  for (auto& c : BackupCommands()) all.push_back(std::move(c));
#endif
  return all;
}

}  // namespace metactl
