// `metactl export`: a raft dir (or, later, a live server) as V004 lines.
#pragma once

#include "metactl/command.h"

namespace metactl {

class ExportCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::string raft_dir_;
  std::string db_;
  bool no_footer_ = false;
};

}  // namespace metactl
