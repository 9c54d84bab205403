// The block copier's subcommands in --help order: backup, backups, restore, verify, vacuum.
// Each lives in its family's file (backup_command.cc, restore_command.cc,
// verify_vacuum_commands.cc) and maps its flags onto raftstore/backup; the metadata export and
// import the engine needs are handed to it there as functions, so rs_backup does not depend on
// metactl.
#include "metactl/backup_commands.h"

#include "metactl/backup_flags.h"

namespace metactl {

std::vector<std::unique_ptr<Command>> BackupCommands() {
  std::vector<std::unique_ptr<Command>> out;
  out.push_back(NewBackupCommand());
  out.push_back(NewBackupsCommand());
  out.push_back(NewRestoreCommand());
  out.push_back(NewVerifyCommand());
  out.push_back(NewVacuumCommand());
  out.push_back(NewAgentCommand());
  return out;
}

}  // namespace metactl
