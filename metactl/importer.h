// Transitional forwarding header: the importer is raftstore/transfer/importer.h (and peer.h).
// Only code outside this branch's area still includes this path (metactl/backup/*); the lead
// points it at raftstore/transfer/ and deletes this file at merge.
#pragma once

#include "raftstore/transfer/importer.h"

namespace metactl {
using raftstore::transfer::ImportOptions;
using raftstore::transfer::ImportStats;
using raftstore::transfer::ImportStream;
using raftstore::transfer::ParsePeer;
using raftstore::transfer::Peer;
using raftstore::transfer::ValidateImportOptions;
}  // namespace metactl
