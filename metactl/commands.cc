#include "metactl/backup_commands.h"
#include "metactl/client/auth_commands.h"
#include "metactl/client/cluster_commands.h"
#include "metactl/client/kv_commands.h"
#include "metactl/command.h"
#include "metactl/export_command.h"
#include "metactl/import_command.h"
#include "metactl/inspect_command.h"

namespace metactl {

// --help order: moving data (export, import, inspect), a live cluster (status, members, then its keys,
// users and auth),
// then the block copier.
std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<ExportCommand>());
  all.push_back(std::make_unique<ImportCommand>());
  all.push_back(NewInspectCommand());
  for (auto& c : client::ClusterCommands()) all.push_back(std::move(c));
  for (auto& c : client::KvCommands()) all.push_back(std::move(c));
  for (auto& c : client::AuthCommands()) all.push_back(std::move(c));
  for (auto& c : BackupCommands()) all.push_back(std::move(c));
  return all;
}

}  // namespace metactl
