// The one hex codec of the tree: lowercase base-16 text of bytes, and back.
//
// Used for SHA-256 digests (export footers, snapshot chunks, backup block names), S3 signatures
// and metactl's "hex:<...>" display of binary values. Percent-encoding (sigv4.cc, uppercase %XX)
// is a different format and is not this.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace raftstore {

// Two lowercase digits per byte, e.g. "\x01\xab" -> "01ab".
std::string HexEncode(std::string_view bytes);
std::string HexEncode(const void* data, size_t n);

// Accepts exactly what HexEncode writes: an even number of lowercase hex digits. On success
// stores the bytes in *out and returns true; otherwise returns false and leaves *out unchanged.
bool HexDecode(std::string_view hex, std::string* out);

}  // namespace raftstore
