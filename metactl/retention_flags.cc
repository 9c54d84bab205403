#include "metactl/retention_flags.h"

namespace metactl {

void RetentionFlags::Add(CLI::App* cmd) {
  cmd->add_option("--retention-days", retention_days_, "delete backups older than D days");
  cmd->add_option("--min-retention-days", min_retention_days_,
                  "never delete a backup younger than D days");
  cmd->add_option("--max-backups", max_backups_, "keep at most N backups");
  cmd->add_option("--min-backups", min_backups_, "never keep fewer than N backups (default 1)");
}

raftstore::backup::VacuumPolicy RetentionFlags::Policy() const {
  raftstore::backup::VacuumPolicy p;
  p.retention_days = retention_days_;
  p.min_retention_days = min_retention_days_;
  p.max_backups = max_backups_;
  p.min_backups = min_backups_;
  return p;
}

}  // namespace metactl
