// The integrity footer: the last line of this project's exports,
//   ["footer",{"Footer":{"records":N,"sha256":"<hex>"}}]
// N counts the lines before it (header included) and sha256 covers every byte before it,
// newlines included. Databend's tools do not know it; `export --no-footer` omits it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/export_format/record.h"
#include "raftstore/common/sha256.h"
#include "raftstore/common/status.h"

namespace raftstore {

// Accumulates the lines of a stream to produce or check its footer.
class StreamDigest {
 public:
  // `line` is the exact bytes of one line without its '\n' (the digest adds it).
  void AddLine(std::string_view line) {
    sha_.Update(line);
    sha_.Update("\n");
    ++records_;
  }
  // `lines` whole lines, each with its '\n' (a reader's batch). A writer that hashes its chunks
  // on another thread than the one that counts them passes 0 and counts itself
  // (ExportStreamWriter::Hash()).
  void AddBytes(std::string_view bytes, uint64_t lines) {
    sha_.Update(bytes);
    records_ += lines;
  }
  uint64_t records() const { return records_; }
  // Ends the digest; call once.
  FooterRec Finish() { return FooterRec{records_, sha_.HexDigest()}; }

 private:
  Sha256 sha_;
  uint64_t records_ = 0;
};

// Compares a stream's footer with the digest of the lines before it.
Status CheckFooter(const FooterRec& footer, StreamDigest& digest);
// The same with the digest already finished (`actual` = digest.Finish()).
Status CheckFooter(const FooterRec& footer, const FooterRec& actual);

}  // namespace raftstore
