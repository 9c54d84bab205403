#include "raftstore/backup/block_codec.h"

#include <zstd.h>

#include <memory>

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

Result<Compression> ParseCompression(const std::string& text) {
  if (text == "none") return Compression{};
  if (text == "zstd") return Compression{kDefaultZstdLevel};
  const std::string prefix = "zstd:";
  if (text.rfind(prefix, 0) == 0) {
    const std::string level = text.substr(prefix.size());
    char* end = nullptr;
    long v = std::strtol(level.c_str(), &end, 10);
    if (!level.empty() && *end == '\0' && v >= 1 && v <= 19) {
      return Compression{static_cast<int>(v)};
    }
  }
  return Status::InvalidArgument("--compression " + text +
                                 ": give none, zstd or zstd:LEVEL with LEVEL from 1 to 19");
}

std::string CompressionName(Compression c) {
  return c.enabled() ? "zstd:" + std::to_string(c.zstd_level) : "none";
}

namespace {

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

}  // namespace

bool CompressBlock(Compression c, std::string_view plain, std::string* out) {
  if (!c.enabled() || plain.empty()) return false;
  // One context per thread: the pipeline's workers compress in parallel, and a context keeps
  // its tables between blocks.
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
  // Room for one byte less than the plaintext: a result that does not fit is not worth storing.
  out->resize(plain.size() - 1);
  size_t n = ZSTD_compressCCtx(cctx.get(), out->data(), out->size(), plain.data(), plain.size(),
                               c.zstd_level);
  if (ZSTD_isError(n) || n >= plain.size()) return false;
  out->resize(n);
  return true;
}

Result<std::string> DecodeStoredBlock(std::string stored, uint64_t plain_size,
                                      const std::string& what) {
  if (stored.size() == plain_size) return stored;
  if (stored.size() > plain_size) {
    return Status::Corruption(what + ": the object has " + std::to_string(stored.size()) +
                              " bytes, more than the block's " + std::to_string(plain_size) +
                              ": the backup is damaged; run `metactl verify LOCATION --read-data`");
  }
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
  std::string plain(plain_size, '\0');
  size_t n = ZSTD_decompressDCtx(dctx.get(), plain.data(), plain.size(), stored.data(),
                                 stored.size());
  if (ZSTD_isError(n) || n != plain_size) {
    return Status::Corruption(
        what + ": the compressed object (" + std::to_string(stored.size()) + " bytes) does not " +
        "decompress to the block's " + std::to_string(plain_size) + " bytes (" +
        (ZSTD_isError(n) ? ZSTD_getErrorName(n) : std::to_string(n) + " bytes") +
        "): the backup is damaged; run `metactl verify LOCATION --read-data`");
  }
  return plain;
}

bool ListedSizeFits(const metasrv::backup::BlockRef& b, uint64_t listed) {
  if (listed == b.size() || listed == StoredSize(b)) return true;
  return b.stored_size() != 0 && listed != 0 && listed < b.size();
}

}  // namespace raftstore::backup
