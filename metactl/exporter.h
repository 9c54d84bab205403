// Transitional forwarding header: the exporter is raftstore/transfer/exporter.h. Only code
// outside this branch's area still includes this path (metactl/backup/*, tests/client); the
// lead points those at raftstore/transfer/ and deletes this file at merge.
#pragma once

#include "raftstore/transfer/exporter.h"

namespace metactl {
using raftstore::transfer::ExportOptions;
using raftstore::transfer::ExportRaftDir;
using raftstore::transfer::ExportStats;
}  // namespace metactl
