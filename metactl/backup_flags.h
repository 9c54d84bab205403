// Shared by the block copier's subcommands (metactl/backup_command.cc, restore_command.cc,
// verify_vacuum_commands.cc): the S3 flags, the error line, and the factories that
// BackupCommands() (backup_commands.h) lists.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "metactl/command.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace metactl {

// Prints "metactl <cmd>: <message>" on stderr; exit code 2 for InvalidArgument, else 1.
int BackupFail(const std::string& cmd, const raftstore::Status& st);

// --s3-endpoint, --s3-region, --s3-access-key-id, --s3-secret-access-key, --s3-session-token,
// --s3-addressing (help group "S3"); empty values fall back to the AWS_* environment.
void AddS3Options(CLI::App* app, raftstore::backup::S3Settings* s);

// --encryption-key-file FILE (help group "Encryption"; docs/backup.md, "Encrypted backups").
void AddEncryptionOption(CLI::App* app, std::string* key_file);

// OpenObjectStore, then the location's encryption checked against `key_file` ("" = none):
// raftstore/backup/encryption.h, OpenLocationStore. Every backup subcommand opens its location
// here, so an encrypted location is refused the same way by each without its key.
raftstore::Result<std::unique_ptr<raftstore::backup::ObjectStore>> OpenBackupLocation(
    const std::string& location, const raftstore::backup::S3Settings& s3, bool create_dir,
    const std::string& key_file, bool for_backup);

std::unique_ptr<Command> NewBackupCommand();   // backup
std::unique_ptr<Command> NewBackupsCommand();  // backups
std::unique_ptr<Command> NewRestoreCommand();  // restore
std::unique_ptr<Command> NewVerifyCommand();   // verify
std::unique_ptr<Command> NewVacuumCommand();   // vacuum
std::unique_ptr<Command> NewAgentCommand();    // agent (the backup service)

}  // namespace metactl
