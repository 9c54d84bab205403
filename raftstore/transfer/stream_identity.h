// Which node an export stream describes: its node id, its last membership and the nodes' raft
// addresses, read from the records before the first key (the export's order puts the raft
// state, the log and the state machine's meta and nodes first: export_stream.h). Used by
// `metactl restore` to say which node a restored raft dir will be, before importing it.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore::transfer {

struct StreamIdentity {
  std::optional<uint64_t> node_id;            // the NodeId record (nullopt: null or none)
  std::vector<uint64_t> members;              // the LastMembership record's nodes, ascending
  std::map<uint64_t, std::string> addresses;  // Nodes records: id -> raft address HOST:PORT
};

// Reads `in` through the one stream reader (every line decoded and checked) up to its first
// GenericKV or Expire record, or its footer; the rest is not read. Errors: the reader's
// ("line N: ...").
Result<StreamIdentity> ReadStreamIdentity(std::istream& in);

}  // namespace raftstore::transfer
