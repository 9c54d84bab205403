// --include-prefix P / --exclude-prefix P: the flags of the one key filter
// (raftstore/export_format/key_filter.h), shared by export, import, backup and restore.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "raftstore/common/status.h"
#include "raftstore/export_format/key_filter.h"

namespace metactl {

class PrefixFlags {
 public:
  // Adds both options to `cmd` (repeatable). `where` says what they filter, for the help
  // text ("the export", "the metadata export", ...).
  void Add(CLI::App* cmd, const std::string& where);

  // The filter the flags give. InvalidArgument, a usage error (exit 2), when both flags are
  // given or a prefix is empty. Call before anything is read or written.
  raftstore::Result<raftstore::KeyFilter> Filter() const;

  bool given() const { return !include_.empty() || !exclude_.empty(); }

 private:
  std::vector<std::string> include_, exclude_;
};

// " (filtered: --include-prefix a/)" for the end of a summary line; "" for the empty filter.
std::string FilteredSuffix(const raftstore::KeyFilter& filter);

}  // namespace metactl
