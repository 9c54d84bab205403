// The one call through which `metactl backup --meta-grpc` exports a live cluster: the first
// address that answers streams its export (metactl::ExportLive; footer verified on the way).
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
