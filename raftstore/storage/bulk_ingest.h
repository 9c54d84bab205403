// Sorted table files for a bulk load: keys that arrive in ascending order are written with
// RocksDB's SstFileWriter and ingested into the dir in one step, instead of going through
// write batches, memtables and flushes (the import of a large stream spends most of its
// writing time there, and holds its memtables in memory).
//
// Keys are grouped in lanes by their first byte (the storage prefix; keys.h): the raft log, the
// expire index and the generic-kv keys, each of which a V004 stream lists in ascending order.
// Each lane writes one table file; the lanes' key ranges are disjoint, so their files never
// overlap and are ingested together.
//
// Contract:
//   - Put() takes a key only when it belongs to a lane and is strictly above the last key that
//     lane took (true). Anything else (another prefix, a key out of order) is refused (false)
//     and the caller writes it through a write batch: correct either way, as the import checks
//     refuse a key given twice, so a batched key and an ingested one are never the same key.
//   - Ingest() finishes the files (each synced by SstFileWriter), ingests them (RocksDB links
//     them into the dir and syncs them and the dir) and removes the work dir; after it, Put()
//     refuses every key, so later keys go through batches. Keys Put() took are not visible to
//     reads until Ingest() returned.
//   - Only for a bulk-load dir (RaftDirOptions::bulk_load): an import's staging dir, which is
//     replaced atomically only after it was closed (and so synced). A kill -9 at any point
//     leaves the work dir inside the staging dir, which the next import removes with it.
//   - A key's value is copied once into the table builder: a large value costs its own size
//     (plus its compressed block) while it is written.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "raftstore/common/status.h"
#include "raftstore/storage/raft_dir.h"

namespace rocksdb {
class SstFileWriter;
}

namespace raftstore {

class BulkIngest {
 public:
  explicit BulkIngest(RaftDir* dir);
  ~BulkIngest();  // abandons unfinished files (the caller removes the staging dir)
  BulkIngest(const BulkIngest&) = delete;
  BulkIngest& operator=(const BulkIngest&) = delete;

  // True when the key was taken (see the contract); an error only when a file cannot be written.
  Result<bool> Put(std::string_view key, std::string_view value);

  // Ingests what was taken and stops taking keys. A no-op when nothing was taken.
  Status Ingest();

 private:
  struct Lane {
    char prefix = 0;
    std::unique_ptr<rocksdb::SstFileWriter> writer;  // open while the lane has keys
    std::string path;
    std::string last_key;
  };
  Status Open(Lane* lane);

  RaftDir* dir_;
  std::string work_dir_;  // <dir>/bulk-ingest: the files until they are ingested
  bool stopped_ = false;
  std::array<Lane, 3> lanes_;
};

}  // namespace raftstore
