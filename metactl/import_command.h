// `metactl import`: a V002/V003/V004 stream into a fresh raft dir.
#pragma once

#include <optional>
#include <vector>

#include "metactl/command.h"
#include "metactl/long_job.h"
#include "metactl/prefix_flags.h"
#include "raftstore/export_format/export_stream.h"

namespace metactl {

class ImportCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override;
  int Run() override;

 private:
  std::string raft_dir_;
  std::string db_;
  std::optional<uint64_t> id_;
  std::vector<std::string> initial_cluster_;
  bool force_ = false;
  bool allow_no_footer_ = false;
  bool repair_seq_ = false;
  uint64_t max_line_bytes_ = raftstore::ExportStreamReader::kDefaultMaxLineBytes;
  std::optional<uint64_t> bump_seq_;
  PrefixFlags prefixes_;
  ProgressFlag progress_;
};

}  // namespace metactl
