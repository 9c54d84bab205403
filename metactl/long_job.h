// What the long metactl commands (export, import, backup, restore, verify) share beyond their
// own flags: --progress=auto|always|never and the report of an interruption (SIGINT/SIGTERM,
// raftstore/common/interrupt.h).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "raftstore/common/progress.h"

namespace metactl {

// --progress=auto|always|never (default auto: only when stderr is a terminal).
class ProgressFlag {
 public:
  void Add(CLI::App* cmd);
  // Whether the progress line is drawn (resolved against stderr being a terminal).
  bool Show() const;

 private:
  std::string mode_ = "auto";  // one of auto, always, never (lower case: CLI11 folds the case)
};

// Prints "metactl <cmd>: interrupted: <what_was_left>" on stderr and returns 130 (exit code).
int ReportInterrupted(const std::string& cmd, const std::string& what_was_left);

}  // namespace metactl
