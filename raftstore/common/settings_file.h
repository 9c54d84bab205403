// `--config FILE`: a TOML file holding the same settings as a command's flags (metasrv, metactl
// agent), read by CLI11's own config support. A key foo_bar is the flag --foo-bar; a flag given
// on the command line wins over the file, the file over the default.
//
// Contract of the file: flat `key = value` lines; a key that is not a setting, a dashed key
// (`raft-dir`), a [section] or `config` itself is an error naming the file and the key
// (CLI::ConfigError while parsing); a value of the wrong type is an error naming the setting.
#pragma once

#include <CLI/CLI.hpp>

namespace raftstore {

// Declares --config on `app` with the checks above. Call before the other options are added
// or after: the checks look options up when the file is read.
void AddSettingsFileOption(CLI::App* app);

}  // namespace raftstore
