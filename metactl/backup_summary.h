// One backup as JSON: what `metactl backups --json` prints per backup and what the agent's
// GET /backup/list and /backup/latest answer (docs/backup.md, docs/backup-service.md), so the
// two agree by construction. Keys in a fixed order; new keys are added at the end.
#pragma once

#include <nlohmann/json.hpp>

#include "backup_manifest.pb.h"

namespace metactl {

nlohmann::ordered_json BackupSummaryJson(const metasrv::backup::Manifest& m);

}  // namespace metactl
