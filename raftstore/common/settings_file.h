// `--config FILE`: a TOML file holding the same settings as a command's flags (metasrv, metactl
// agent), read by CLI11's own config support. A key foo_bar is the flag --foo-bar; a flag given
// on the command line wins over the file, the file over the default.
//
// Contract of the file: flat `key = value` lines; a key that is not a setting, a dashed key
// (`raft-dir`), a [section] or `config` itself is an error naming the file and the key
// (CLI::ConfigError while parsing); a value of the wrong type is an error naming the setting.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "raftstore/common/status.h"

namespace raftstore {

// Declares --config on `app` with the checks above. Call before the other options are added
// or after: the checks look options up when the file is read.
void AddSettingsFileOption(CLI::App* app);

// The same for a subcommand (`metactl agent`): CLI11 reads --config only for the top-level app,
// so the subcommand declares --config FILE (into *path) and, after parsing, ApplySettingsFile
// gives every option the command line left unset its value from the file, through the option's
// own checks. InvalidArgument naming the file and the key for an unknown key or a bad value.
void AddSubcommandSettingsFile(CLI::App* cmd, std::string* path);
Status ApplySettingsFile(CLI::App* cmd, const std::string& path);

}  // namespace raftstore
