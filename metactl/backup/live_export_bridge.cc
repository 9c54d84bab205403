#include "metactl/backup/live_export_bridge.h"

namespace metactl::backup {

raftstore::Result<ExportStats> ExportLiveForBackup(const std::vector<std::string>& addrs,
                                                   std::ostream& /*out*/,
                                                   const ExportOptions& /*options*/) {
  // TODO(lead): return metactl::ExportLive(addrs, out, options); (metactl/live_export.h)
  std::string list;
  for (const auto& a : addrs) list += (list.empty() ? "" : ",") + a;
  return raftstore::Status::Unavailable(
      "--meta-grpc " + list + ": exporting a live metasrv over gRPC is not available yet in "
      "this build: stop the node and use --meta-raft-dir DIR instead");
}

}  // namespace metactl::backup
