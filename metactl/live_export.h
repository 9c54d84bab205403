// Transitional forwarding header: the live export is raftstore/transfer/live_export.h. Only
// code outside this branch's area still includes this path (metactl/backup/*, tests/client);
// the lead points those at raftstore/transfer/ and deletes this file at merge.
#pragma once

#include "metactl/exporter.h"
#include "raftstore/transfer/live_export.h"

namespace metactl {
using raftstore::transfer::ExportLive;
}  // namespace metactl
