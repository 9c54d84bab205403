#include "metactl/backup_summary.h"

#include "raftstore/backup/manifest.h"

namespace metactl {

nlohmann::ordered_json BackupSummaryJson(const metasrv::backup::Manifest& m) {
  namespace backup = raftstore::backup;
  const auto& s = m.stats();
  return {{"id", m.id()},
          {"time_unix_ms", m.time_unix_ms()},
          {"time", backup::FormatTime(m.time_unix_ms())},
          {"files", s.files()},
          {"logical_bytes", s.logical_bytes()},
          {"new_bytes", s.new_bytes()},
          {"new_blocks", s.new_blocks()},
          {"metadata_records", m.has_metadata() ? m.metadata().records() : 0},
          {"has_metadata", m.has_metadata()},
          {"hostname", m.hostname()},
          {"new_stored_bytes", s.new_stored_bytes()},
          {"blocks", backup::CountBlockRefs(m)},
          {"reused_blocks", s.reused_blocks()},
          {"duration_ms", s.duration_ms()},
          {"metadata_source", m.has_metadata() ? m.metadata().source() : ""},
          {"metadata_last_applied", m.has_metadata() ? m.metadata().last_applied_index() : 0},
          {"compression", m.compression()},
          {"format_version", m.format_version()}};
}

}  // namespace metactl
