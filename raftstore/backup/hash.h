// Digest helpers for the block copier: raw 32-byte digests, digest parsing, HMAC-SHA256.
// Streaming SHA-256 and hex encoding are raftstore/common/sha256.h; these build on it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace raftstore::backup {

using Digest = std::array<unsigned char, 32>;

Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string Hex(const unsigned char* data, size_t n);
inline std::string Hex(const Digest& d) { return Hex(d.data(), d.size()); }
// "" when `text` is not 64 lowercase hex digits.
bool ParseHexDigest(std::string_view text, Digest* out);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes

}  // namespace raftstore::backup
