// How a block is stored: as it is, or zstd-compressed when that is smaller.
//
// Contract (the rule every reader relies on): a stored block is compressed exactly when it is
// shorter than its plaintext (BlockRef.size). Compressed output that is not strictly smaller is
// never stored, so an object of the plaintext's size is the plaintext. Readers decide by the
// object's size, not by the manifest, so a block written again in another form (another level,
// or raw after --compression none) still reads back under every manifest that names it. Ids
// stay the SHA-256 (or HMAC) of the plaintext: dedup does not depend on compression.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "backup_manifest.pb.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

struct Compression {
  int zstd_level = 0;  // 0: none; else a zstd level (1..19)
  bool enabled() const { return zstd_level != 0; }
};

inline constexpr int kDefaultZstdLevel = 3;  // zstd's own default: fast, most of the gain

// "none", "zstd" or "zstd:LEVEL" (--compression). The error names the text.
raftstore::Result<Compression> ParseCompression(const std::string& text);
std::string CompressionName(Compression c);  // "none" or "zstd:3"

// Compresses `plain` into *out; false (and *out unspecified) when that would not be smaller,
// so the block is stored as it is.
bool CompressBlock(Compression c, std::string_view plain, std::string* out);

// The plaintext of a stored object of a block of `plain_size` bytes (see the rule above).
// Corruption names `what` when the object is longer than the block or does not decompress to
// exactly plain_size bytes.
raftstore::Result<std::string> DecodeStoredBlock(std::string stored, uint64_t plain_size,
                                                 const std::string& what);

// The object size a manifest records for a block: stored_size when compressed, else size.
inline uint64_t StoredSize(const metasrv::backup::BlockRef& b) {
  return b.stored_size() != 0 ? b.stored_size() : b.size();
}

// Whether an object listed with `listed` bytes can hold block `b`: its recorded stored size,
// the raw plaintext, or (when the manifest recorded it compressed) another compressed form of
// it, as a later backup at another level may have written. A raw block whose listed size
// differs was damaged (e.g. truncated).
bool ListedSizeFits(const metasrv::backup::BlockRef& b, uint64_t listed);

}  // namespace raftstore::backup
