// The node a `metactl restore --raft-dir` makes: its id and its membership, shown in the plan of
// the dry run and of the real run, with a warning when the result would be a copy of the
// backed-up node (same id or the same peers: started beside a cluster that still runs, it would
// act as one of its members).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"
#include "raftstore/transfer/peer.h"

namespace metactl {

struct RestoreIdentity {
  std::string line;     // "the restored raft dir will be node 1 of members 1 at H:P, ..."
  std::string warning;  // "" or why the result would clone the backed-up node, and what to give
};

// Reads backup `backup_id`'s metadata at `store` up to its first key (the node id, the membership
// and the nodes come before the keys; every block read is checked) and combines it with --id
// (`id`) and --initial-cluster (`peers`, empty when not given). The warning is set exactly when
// `peers` is empty.
raftstore::Result<RestoreIdentity> DescribeRestoredIdentity(raftstore::backup::ObjectStore& store,
                                                            const std::string& backup_id,
                                                            std::optional<uint64_t> id,
                                                            const std::vector<raftstore::transfer::Peer>& peers);

}  // namespace metactl
