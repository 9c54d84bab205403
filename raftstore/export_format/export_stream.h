// The export stream: the one writer and the one reader of a whole export (DESIGN.md
// "Export line format"), so that its order, its counts and its integrity footer are made in
// one place and checked in one place.
//
// A stream is a sequence of lines, each ending in '\n':
//   1. the header        ["header",{"DataHeader":{"key":"header","value":{"version":"V004"}}}]
//   2. the records       raft state, raft log, state machine (ForEachRecord's order)
//   3. the footer        ["footer",{"Footer":{"records":N,"sha256":"<hex>"}}]   (optional)
// N counts the lines before the footer (header included) and the SHA-256 covers every byte
// before it, newlines included (footer.h). Databend's tools neither write nor know the footer,
// so it may be missing; a stream cut short at a line boundary looks the same, which is why a
// missing footer is refused unless the reader is told to allow it (import --allow-no-footer).
//
// Both classes hold one line at a time: memory does not grow with the stream.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "raftstore/common/bounded_queue.h"
#include "raftstore/export_format/footer.h"
#include "raftstore/export_format/record.h"
#include "raftstore/common/status.h"

namespace raftstore {

// Writes a stream. The caller does the I/O (a file, stdout, gRPC chunks): the writer hands it
// each line, encoded into the caller's string (no '\n'), which the caller may move from.
//
// Contract: Add() takes the header first (MakeHeader()), then the records; it refuses, with
// Internal (a bug in the caller), a first record that is not the header, a second header, a
// footer record, and anything after Finish(). Finish() gives the footer line computed from
// exactly the lines Add() gave, or nothing when the writer was made without a footer
// (`export --no-footer`).
class ExportStreamWriter {
 public:
  explicit ExportStreamWriter(bool footer = true) : footer_(footer) {}

  // Encodes `record` as the next line into *line (its old content is replaced).
  Status Add(const Record& record, std::string* line);

  // The same split in two, for a caller that hashes on another thread (export_chunk_writer.h):
  // Append() encodes the next line and appends it, with its '\n', to *chunk; every byte it
  // appends must then reach Hash(), in order, before Finish(). Hash() may run on another thread
  // than Append(), never at the same time as Finish(). Do not mix with Add() in one stream.
  Status Append(const Record& record, std::string* chunk);
  void Hash(std::string_view bytes) {
    if (footer_) digest_.AddBytes(bytes, 0);  // Finish() takes the count from encoded_
    hashed_bytes_ += bytes.size();            // (without a footer, nothing needs the digest)
  }

  // Whether Hash() was given as many bytes as Append() made (check before Finish()).
  bool hashed_all() const { return hashed_bytes_ == appended_bytes_; }

  // Ends the stream: true with the footer line in *line, false (and *line untouched) when the
  // writer has no footer. Call once, after the last Add() (or Hash()).
  bool Finish(std::string* line);

  uint64_t records() const { return encoded_; }  // lines given by Add() or Append()

 private:
  Status CheckOrder(const Record& record) const;

  bool footer_;
  bool finished_ = false;
  uint64_t encoded_ = 0;         // lines made by Add() or Append(): the footer's count
  uint64_t appended_bytes_ = 0;  // by Append()
  uint64_t hashed_bytes_ = 0;    // by Hash()
  StreamDigest digest_;
};

// The footer line of `footer`, without its '\n': what ExportStreamWriter writes last, and what
// a live export writes when it made the footer itself (ExportRequest.client_footer).
std::string FooterLine(FooterRec footer);

// Reads a stream line by line and checks its framing and footer.
//
// Contract: the lines are numbered from 1 and every error says "line N: <what>" (the caller
// prefixes the source). The reader refuses (Corruption unless noted):
//   - any line after the footer        "data after the footer line; the stream was altered"
//                                      (Origin::kServer: "a line after the integrity footer:
//                                      the stream is malformed")
//   - an empty line                    "empty line"
//   - a line that does not decode      the codec's message; when it is the stream's last line
//                                      and has no '\n', prefixed "last line is cut short (no
//                                      newline): the stream was truncated"
//   - a footer on line 1               "a footer but no header: expected the header line first"
//   - a first line that is not a header, or an unsupported version (InvalidArgument)
//   - a second header                  "a second header line"
//   - a footer whose count or SHA-256 differs from the lines before it (CheckFooter's message)
// and at the end (Finish()):
//   - no footer, unless Options::allow_no_footer
//                                      Origin::kFile: "no integrity footer: the stream may be
//                                      cut short; if it is a databend-metactl export, add
//                                      --allow-no-footer (the stream ended after N lines)"
//                                      Origin::kServer: "the stream ended after N lines without
//                                      the integrity footer: it was cut short ..."
//   - no line at all                   "empty stream: expected a header line first (...)"
class ExportStreamReader {
 public:
  // Where the stream comes from: it decides only what an error says the likely cause is.
  enum class Origin {
    kFile,    // a file or pipe a person handed in: an extra line means it was altered
    kServer,  // metasrv's Export RPC: an extra line means the server is broken
  };
  // 64 MiB: a line holds one value, and a value of 16 MiB (up to 4 bytes of text per byte) fits.
  static constexpr uint64_t kDefaultMaxLineBytes = 64ull << 20;
  struct Options {
    Origin origin = Origin::kFile;
    bool allow_no_footer = false;  // Finish() accepts a stream without the footer
    // ReadAll() refuses a longer line (InvalidArgument naming the line and --max-line-bytes)
    // before holding more than this (plus one read block) of it.
    uint64_t max_line_bytes = kDefaultMaxLineBytes;
  };
  enum class LineKind { kRecord, kFooter };

  ExportStreamReader() = default;
  explicit ExportStreamReader(Options options) : options_(options) {}

  // Takes the next line, without its '\n'; `terminated` is false when the line had none (only
  // the stream's last line can lack it). With `record` set, the line is decoded into *record
  // (the footer line too) and checked by its decoded kind. With `record` null the caller only
  // relays the lines: then only line 1 and footer lines (recognised by their leading
  // `["footer"`) are decoded, so a relay pays for SHA-256 but for no JSON parsing.
  Result<LineKind> Next(std::string_view line, Record* record, bool terminated = true);

  // Ends the stream: the checks above that need its end.
  Status Finish();
  // Ends a stream whose source sends no footer line by agreement (the Export RPC with
  // client_footer) but says how many lines it sent: Corruption when a footer line came after
  // all, when the count differs from the lines taken, or for an empty stream. Returns the
  // footer of the lines taken (their count and SHA-256), for the caller to write. Call once,
  // instead of Finish().
  Result<FooterRec> FinishWithoutFooter(uint64_t lines_sent);

  // Reads `in` to its end, in large blocks (common/line_reader.h): Next() on every line,
  // `visit` on every decoded record (header included, footer not), then Finish(). An error of
  // `visit` gets "line N: " too; a failed read is IOError "read failed after line N"; a line
  // over Options::max_line_bytes is InvalidArgument "line N: longer than the limit ...".
  //
  // Reading, hashing and decoding run on a second thread, a batch of records ahead of `visit`,
  // which runs on the calling thread, in line order. The outcome is the sequential one: the
  // first error by line wins, whether it is the reader's or `visit`'s, and nothing after a
  // failed `visit` is visited. While `visit` runs, lines() and bytes() are those of the record
  // it was given. Records are handed over before every read that may wait (a pipe whose
  // writer pauses): `visit` sees each line as soon as it arrived. Memory: a few batches of at
  // most ~256 KiB of lines (or one longer line) are decoded ahead.
  Status ReadAll(std::istream& in, const std::function<Status(const Record&)>& visit);

  uint64_t lines() const { return shown_.lines; }  // lines taken, footer included
  uint64_t bytes() const { return shown_.bytes; }  // bytes of those lines, newlines included
  uint64_t records() const { return digest_.records(); }  // lines before the footer
  bool footer_seen() const { return footer_seen_; }
  // After a footer line (not on line 1): the footer as read and the one computed from the lines
  // before it. They differ exactly when Next() refused the footer, so a caller that reports
  // a mismatch (`metactl inspect`) can show both without parsing the message.
  const FooterRec& footer() const { return footer_; }
  const FooterRec& computed_footer() const { return computed_footer_; }

 private:
  // Where the stream is: after a line (Next()), or at the record `visit` was given (ReadAll()).
  struct Position {
    uint64_t lines = 0;
    uint64_t bytes = 0;
  };
  struct Batch;

  // Next() without publishing the position: ReadAll()'s reading thread uses it.
  Result<LineKind> Count(std::string_view line, Record* record, bool terminated);
  Result<LineKind> Take(std::string_view line, Record* record, bool terminated);
  // ReadAll()'s reading thread: every line of `in` into batches; the last one carries the end.
  // `visited` brings batches back for reuse.
  void ReadBatches(std::istream& in, BoundedQueue<Batch>* out, BoundedQueue<Batch>* visited);

  Options options_;
  StreamDigest digest_;
  uint64_t lines_ = 0;  // read so far (by the reading thread during ReadAll())
  uint64_t bytes_ = 0;
  Position shown_;      // what lines() and bytes() say
  bool footer_seen_ = false;
  uint64_t footer_line_ = 0;
  // During ReadAll(): the lines are hashed by the visiting thread, not by Take().
  bool hashed_by_visitor_ = false;
  FooterRec footer_, computed_footer_;
};

}  // namespace raftstore
