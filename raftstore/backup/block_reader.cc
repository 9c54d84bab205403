#include "raftstore/backup/block_reader.h"

#include <cstring>

#include "raftstore/backup/block_codec.h"
#include "raftstore/backup/hash.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/hex.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace pb = metasrv::backup;

Result<std::string> FetchBlock(ObjectStore& store, const pb::BlockRef& b, const std::string& what,
                               uint64_t offset) {
  std::string hex = BlockHex(b);
  const std::string where =
      "block " + BlockKey(hex) + " of " + what + " (offset " + std::to_string(offset) + ")";
  auto stored = store.Get(BlockKey(hex));
  if (!stored.ok()) return stored.status().WithContext(where);
  auto data = DecodeStoredBlock(std::move(*stored), b.size(), where);
  if (!data.ok()) return data.status();
  Digest d = store.BlockId(*data);
  if (data->size() != b.size() ||
      std::memcmp(d.data(), b.sha256().data(), 32) != 0) {
    return Status::Corruption("block " + BlockKey(hex) + " of " + what + " (offset " +
                              std::to_string(offset) + "): content does not match its SHA-256 "
                              "(read " + std::to_string(data->size()) + " bytes hashing to " +
                              HexEncode(d.data(), d.size()) + "): the backup is damaged; run "
                              "`metactl verify LOCATION --read-data` and restore from another "
                              "backup");
  }
  return std::move(*data);
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<MetadataStream>> MetadataStream::Open(ObjectStore& store,
                                                             const std::string& id) {
  RS_ASSIGN_OR_RETURN(std::string resolved, ResolveBackupId(store, id));
  RS_ASSIGN_OR_RETURN(pb::Manifest m, LoadManifest(store, resolved));
  if (!m.has_metadata()) {
    return Status::NotFound("backup " + resolved + " at " + store.Describe() +
                            " has no metadata (it was made without --meta-raft-dir or "
                            "--meta-grpc): nothing to inspect");
  }
  return std::unique_ptr<MetadataStream>(new MetadataStream(store, std::move(m)));
}

MetadataStream::MetadataStream(ObjectStore& store, pb::Manifest m)
    : std::istream(nullptr), manifest_(std::move(m)), buf_(store, manifest_) {
  rdbuf(&buf_);
}

MetadataStream::Buf::int_type MetadataStream::Buf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  const auto& blocks = m_.metadata().blocks();
  while (status.ok() && next_ < blocks.size()) {
    const pb::BlockRef& b = blocks[next_++];
    auto data = FetchBlock(store_, b, "the metadata export of backup " + m_.id(), offset_);
    if (!data.ok()) {
      status = data.status();
      break;
    }
    offset_ += b.size();
    block_ = std::move(*data);
    if (block_.empty()) continue;
    setg(block_.data(), block_.data(), block_.data() + block_.size());
    return traits_type::to_int_type(*gptr());
  }
  return traits_type::eof();
}

}  // namespace raftstore::backup
