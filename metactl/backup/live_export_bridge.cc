#include "metactl/backup/live_export_bridge.h"

#include "metactl/client/meta_client.h"
#include "metactl/live_export.h"

namespace metactl::backup {

raftstore::Result<ExportStats> ExportLiveForBackup(const std::vector<std::string>& addrs,
                                                   std::ostream& out,
                                                   const ExportOptions& options) {
  // The footer is verified by ExportLive whatever options.footer says.
  return metactl::ExportLive(addrs, out, options, client::kDefaultTimeoutSec, /*chunk_size=*/0);
}

}  // namespace metactl::backup
