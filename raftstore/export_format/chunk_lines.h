// The lines of one chunk of an export stream (ExportChunkWriter's output, the Export RPC's
// ExportChunk.data): a chunk is whole lines, each ending in '\n'.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <xxhash.h>

#include "raftstore/common/status.h"

namespace raftstore {

// Calls fn(line, offset) for each line of `chunk`, without its '\n'; `offset` is where the
// line starts in `chunk`. Stops at, and returns, the first non-OK Status of fn. A chunk whose
// last line has no '\n' was cut or mis-built by its sender: Corruption, after the whole lines
// before it were passed on.
template <typename Fn>
Status ForEachLine(std::string_view chunk, Fn&& fn) {
  for (size_t at = 0; at < chunk.size();) {
    const size_t end = chunk.find('\n', at);
    if (end == std::string_view::npos) {
      return Status::Corruption("an export chunk ends inside a line (" + std::to_string(chunk.size() - at) +
                                " bytes without a newline): the sender is broken");
    }
    RS_RETURN_IF_ERROR(fn(chunk.substr(at, end - at), at));
    at = end + 1;
  }
  return Status::OK();
}

// The checksum of a chunk as the Export RPC carries it (ExportChunk.xxh3, with
// ExportRequest.client_footer): XXH3-64, seed 0. It only guards the transfer, so it may be fast
// (tens of GB/s, against SHA-256's ~1.5 GB/s); the stream's footer keeps its SHA-256, which the
// client computes.
inline uint64_t ChunkChecksum(std::string_view chunk) { return XXH3_64bits(chunk.data(), chunk.size()); }

}  // namespace raftstore
