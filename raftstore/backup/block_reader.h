// Reading a backup's blocks back, each checked against its SHA-256 and size: one block at a
// time (FetchBlock, used by restore), or a backup's metadata export as a std::istream
// (MetadataStream, used by `metactl inspect LOCATION --backup ID|--latest`).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>

#include "backup_manifest.pb.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

// Fetches block `b`, decompresses it when it is stored compressed (block_codec.h), and checks
// its digest and size. `what` names its file and `offset` its
// place in it, for messages ("block data/<hex> of file a/b (offset 8388608): ...").
raftstore::Result<std::string> FetchBlock(ObjectStore& store, const metasrv::backup::BlockRef& b,
                                          const std::string& what, uint64_t offset);

// The metadata export of one backup, read block by block: memory holds one block.
//
// Contract: a block that cannot be fetched or does not match its digest ends the stream early
// (the reader sees end of file) and sets status(): check status() before trusting anything
// read, since a stream that ends early looks like a truncated export.
class MetadataStream : public std::istream {
 public:
  // Backup `id` ("" = the newest) at `store`. NotFound when there is no such backup or it has
  // no metadata (it was made with --data only).
  static raftstore::Result<std::unique_ptr<MetadataStream>> Open(ObjectStore& store,
                                                                 const std::string& id);

  const std::string& backup_id() const { return manifest_.id(); }
  const metasrv::backup::Manifest& manifest() const { return manifest_; }
  const raftstore::Status& status() const { return buf_.status; }

 private:
  class Buf : public std::streambuf {
   public:
    Buf(ObjectStore& store, const metasrv::backup::Manifest& m) : store_(store), m_(m) {}
    raftstore::Status status;

   protected:
    int_type underflow() override;

   private:
    ObjectStore& store_;
    const metasrv::backup::Manifest& m_;
    int next_ = 0;        // next block to fetch
    uint64_t offset_ = 0;  // offset of that block in the export
    std::string block_;
  };

  MetadataStream(ObjectStore& store, metasrv::backup::Manifest m);

  metasrv::backup::Manifest manifest_;
  Buf buf_;
};

}  // namespace raftstore::backup
