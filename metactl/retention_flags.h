// --retention-days, --min-retention-days, --max-backups, --min-backups: the retention policy of
// `metactl vacuum` and of `metactl agent` (applied after each successful backup).
#pragma once

#include <cstdint>
#include <optional>

#include <CLI/CLI.hpp>

#include "raftstore/backup/vacuum.h"

namespace metactl {

class RetentionFlags {
 public:
  void Add(CLI::App* cmd);
  raftstore::backup::VacuumPolicy Policy() const;
  bool given() const { return retention_days_ || min_retention_days_ || max_backups_ || min_backups_; }

 private:
  std::optional<double> retention_days_, min_retention_days_;
  std::optional<int64_t> max_backups_, min_backups_;
};

}  // namespace metactl
