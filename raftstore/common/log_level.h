// --log-level of both binaries: the one parser of a log level, and its CLI11 flag.
//
// spdlog's own from_str() turns any name it does not know ("verbose", "INFO", "Error") into
// `off`, which silences every message, fatal errors included: a typo then looked like a
// binary that exits 1 with no output. Here a level is one of
//   trace, debug, info, warn (or warning), error
// in any case; anything else is a usage error listing these names. There is deliberately no
// `off` or `critical`: the errors that end a run are logged at level error, and no setting
// may hide them.
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>
#include <spdlog/common.h>

#include "raftstore/common/status.h"

namespace raftstore {

// The accepted names, for help texts and messages: "trace, debug, info, warn, error".
std::string LogLevelNames();

// InvalidArgument naming `text` and the accepted names when `text` is not a level.
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view text);

// Declares `--log-level` on `app` (default: *level as given), checked with ParseLogLevel while
// the command line (or metasrv's config file) is parsed: a bad value is a usage error (exit 2).
CLI::Option* AddLogLevelFlag(CLI::App* app, std::string* level);

}  // namespace raftstore
