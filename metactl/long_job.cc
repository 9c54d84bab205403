#include "metactl/long_job.h"

#include <iostream>

#include "raftstore/common/interrupt.h"

namespace metactl {

void ProgressFlag::Add(CLI::App* cmd) {
  cmd->add_option("--progress", mode_,
                  "progress line on stderr: auto (only when stderr is a terminal), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}, CLI::ignore_case))
      ->capture_default_str();
}

bool ProgressFlag::Show() const {
  if (mode_ == "always") return raftstore::ShowProgress(raftstore::ProgressMode::kAlways);
  if (mode_ == "never") return raftstore::ShowProgress(raftstore::ProgressMode::kNever);
  return raftstore::ShowProgress(raftstore::ProgressMode::kAuto);
}

int ReportInterrupted(const std::string& cmd, const std::string& what_was_left) {
  raftstore::Progress::EndLine();
  std::cerr << "metactl " << cmd << ": interrupted: " << what_was_left << std::endl;
  return raftstore::kExitInterrupted;
}

}  // namespace metactl
