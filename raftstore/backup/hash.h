// Digest helpers of the block copier: raw 32-byte SHA-256 digests (block names, manifest
// checksums) and HMAC-SHA256 (S3 signatures). Streaming SHA-256 and its hex text are
// raftstore/common/sha256.h; hex encoding is raftstore/common/hex.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace raftstore::backup {

using Digest = std::array<unsigned char, 32>;

Digest Sha256Digest(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes

}  // namespace raftstore::backup
