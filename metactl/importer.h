// Import of a V002/V003/V004 line stream into a fresh raft dir.
//
// Contract: the stream is validated line by line while it is written into a staging dir
// beside the target (`<raft_dir>.import-staging`); the target is replaced only when every line
// was valid, the footer (when present) matched, and the staging data was synced. On any failure
// the target is left exactly as it was and the staging dir is removed (a staging dir left by a
// killed import is removed by the next import). Memory use does not grow with the stream.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace metactl {

// One member of --initial-cluster: ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]
struct Peer {
  uint64_t id = 0;
  std::string host;
  uint16_t port = 0;
  std::string grpc_api_advertise_address;  // empty when not given
};

// Parses "ID=HOST:PORT" or "ID=HOST:PORT,GRPC_ADDR"; the error names the bad text.
raftstore::Result<Peer> ParsePeer(const std::string& text);

struct ImportOptions {
  std::string raft_dir;
  bool force = false;                 // allow replacing a non-empty raft dir
  std::optional<uint64_t> id;         // node id to write into the raft state
  std::vector<Peer> initial_cluster;  // when non-empty: replace nodes and membership
  std::string source_name = "stdin";  // used in error messages ("<source>: line N: ...")
};

// Checks the options alone (peers well formed, ids unique, --id among them, target refused
// when non-empty without force). Called before anything is read from the stream.
raftstore::Status ValidateImportOptions(const ImportOptions& options);

struct ImportStats {
  uint64_t records = 0;   // lines read, header included, footer excluded
  bool had_footer = false;
  uint64_t log_entries = 0;
  uint64_t kv_keys = 0;
};

raftstore::Result<ImportStats> ImportStream(std::istream& in, const ImportOptions& options);

}  // namespace metactl
