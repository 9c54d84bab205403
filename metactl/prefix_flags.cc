#include "metactl/prefix_flags.h"

namespace metactl {

void PrefixFlags::Add(CLI::App* cmd, const std::string& where) {
  cmd->add_option("--include-prefix", include_,
                  "keep only the keys starting with P in " + where +
                      " (repeatable; every non-key record is kept)")
      ->type_name("P")
      ->group("Prefix filter");
  cmd->add_option("--exclude-prefix", exclude_,
                  "leave the keys starting with P out of " + where + " (repeatable; not with --include-prefix)")
      ->type_name("P")
      ->group("Prefix filter");
}

raftstore::Result<raftstore::KeyFilter> PrefixFlags::Filter() const {
  return raftstore::KeyFilter::Make(include_, exclude_);
}

std::string FilteredSuffix(const raftstore::KeyFilter& filter) {
  return filter.empty() ? "" : " (filtered: " + filter.Describe() + ")";
}

}  // namespace metactl
