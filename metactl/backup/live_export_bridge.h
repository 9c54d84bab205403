// The one call through which `metactl backup --meta-grpc` exports a live cluster.
// Swap the body of ExportLiveForBackup (live_export_bridge.cc) for metactl::ExportLive once
// metactl/live_export.h exists.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "metactl/exporter.h"
#include "raftstore/common/status.h"

namespace metactl::backup {

raftstore::Result<ExportStats> ExportLiveForBackup(const std::vector<std::string>& addrs,
                                                   std::ostream& out,
                                                   const ExportOptions& options);

}  // namespace metactl::backup
