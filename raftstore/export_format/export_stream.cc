#include "raftstore/export_format/export_stream.h"

#include <memory>
#include <thread>
#include <variant>
#include <vector>

#include "raftstore/common/failpoint.h"
#include "raftstore/common/line_reader.h"
#include "raftstore/export_format/line_codec.h"

namespace raftstore {

namespace {

// The exact starts of the lines EncodeLine() writes for the header and the footer trees.
constexpr std::string_view kHeaderStart = "[\"header\"";
constexpr std::string_view kFooterStart = "[\"footer\"";

Status CheckHeader(const Record& rec) {
  const auto* h = std::get_if<HeaderRec>(&rec.body);
  if (h == nullptr) {
    return Status::Corruption(std::string("expected the header line first, found ") + RecordKindName(rec.body) +
                              ": input without a header (V0 or V001) is not supported; supported versions are " +
                              kSupportedVersionsText);
  }
  if (!IsSupportedVersion(h->version)) {
    return Status::InvalidArgument("version " + h->version + " is not supported; supported versions are " +
                                   kSupportedVersionsText);
  }
  return Status::OK();
}

Status Decode(std::string_view line, bool terminated, Record* out) {
  Status st = DecodeLine(line, out);
  if (!st.ok() && !terminated) {
    return st.WithContext("last line is cut short (no newline): the stream was truncated");
  }
  return st;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Status ExportStreamWriter::CheckOrder(const Record& record) const {
  const bool is_header = std::holds_alternative<HeaderRec>(record.body);
  if (finished_) return Status::Internal("export stream: a record after the footer");
  if (std::holds_alternative<FooterRec>(record.body)) {
    return Status::Internal("export stream: the footer is written by Finish(), not Add()");
  }
  if (is_header != (encoded_ == 0)) {
    return Status::Internal(is_header ? "export stream: a second header"
                                      : std::string("export stream: the first record must be the header, not ") +
                                            RecordKindName(record.body));
  }
  return Status::OK();
}

Status ExportStreamWriter::Add(const Record& record, std::string* line) {
  RS_RETURN_IF_ERROR(CheckOrder(record));
  EncodeLine(record, line);
  ++encoded_;
  digest_.AddBytes(*line, 0);  // counted by encoded_ alone, as Append()'s lines are
  digest_.AddBytes("\n", 0);
  return Status::OK();
}

Status ExportStreamWriter::Append(const Record& record, std::string* chunk) {
  RS_RETURN_IF_ERROR(CheckOrder(record));
  const size_t start = chunk->size();
  AppendLine(record, chunk);
  chunk->push_back('\n');
  appended_bytes_ += chunk->size() - start;
  ++encoded_;
  return Status::OK();
}

bool ExportStreamWriter::Finish(std::string* line) {
  if (finished_ || !footer_) {
    finished_ = true;
    return false;  // a second call must not finish the digest twice
  }
  finished_ = true;
  FooterRec footer = digest_.Finish();
  footer.records = encoded_;  // the digest hashed them and counted none
  *line = FooterLine(std::move(footer));
  return true;
}

// ---------------------------------------------------------------------------------------------

Result<ExportStreamReader::LineKind> ExportStreamReader::Next(std::string_view line, Record* record,
                                                              bool terminated) {
  Result<LineKind> kind = Count(line, record, terminated);
  shown_ = {lines_, bytes_};
  return kind;
}

Result<ExportStreamReader::LineKind> ExportStreamReader::Count(std::string_view line, Record* record,
                                                               bool terminated) {
  ++lines_;
  bytes_ += line.size() + (terminated ? 1 : 0);
  Result<LineKind> kind = Take(line, record, terminated);
  if (!kind.ok()) return kind.status().WithContext("line " + std::to_string(lines_));
  return kind;
}

Result<ExportStreamReader::LineKind> ExportStreamReader::Take(std::string_view line, Record* record,
                                                              bool terminated) {
  if (footer_seen_) {
    return Status::Corruption(options_.origin == Origin::kServer
                                  ? "a line after the integrity footer: the stream is malformed"
                                  : "data after the footer line; the stream was altered");
  }
  if (line.empty()) return Status::Corruption("empty line");
  const bool first = lines_ == 1;
  Record relayed;  // a relay's header or footer line, decoded to be checked
  if (record == nullptr) {
    if (!first && !line.starts_with(kFooterStart)) {
      if (line.starts_with(kHeaderStart)) return Status::Corruption("a second header line");
      digest_.AddLine(line);
      return LineKind::kRecord;
    }
    record = &relayed;
  }
  RS_RETURN_IF_ERROR(Decode(line, terminated, record));
  if (const auto* footer = std::get_if<FooterRec>(&record->body)) {
    footer_seen_ = true;
    if (first) return Status::Corruption("a footer but no header: expected the header line first");
    footer_ = *footer;
    footer_line_ = lines_;
    if (hashed_by_visitor_) return LineKind::kFooter;  // ReadAll() checks it once every line is hashed
    computed_footer_ = digest_.Finish();
    RS_RETURN_IF_ERROR(CheckFooter(footer_, computed_footer_));
    return LineKind::kFooter;
  }
  if (!hashed_by_visitor_) digest_.AddLine(line);
  if (first) RS_RETURN_IF_ERROR(CheckHeader(*record));
  else if (std::holds_alternative<HeaderRec>(record->body)) return Status::Corruption("a second header line");
  return LineKind::kRecord;
}

Status ExportStreamReader::Finish() {
  if (!footer_seen_ && !options_.allow_no_footer) {
    if (options_.origin == Origin::kServer) {
      return Status::Corruption("the stream ended after " + std::to_string(lines_) +
                                " lines without the integrity footer: it was cut short (or the server is too old); "
                                "export again");
    }
    // A person's file: most likely a databend-metactl export (which has no footer) or one cut
    // at a line boundary, which looks the same; only the person can tell.
    return Status::Corruption("no integrity footer: the stream may be cut short; if it is a databend-metactl "
                              "export, add --allow-no-footer (the stream ended after " +
                              std::to_string(lines_) + " lines)");
  }
  if (lines_ == 0) {
    return Status::Corruption("empty stream: expected a header line first "
                              "(an export of metactl or databend-metactl)");
  }
  return Status::OK();
}

Result<FooterRec> ExportStreamReader::FinishWithoutFooter(uint64_t lines_sent) {
  if (footer_seen_) {
    return Status::Corruption("line " + std::to_string(footer_line_) +
                              ": a footer line in a stream sent without one by request: the server is broken");
  }
  if (lines_ == 0) return Status::Corruption("empty stream: expected a header line first");
  if (lines_ != lines_sent) {
    return Status::Corruption("the server says it sent " + std::to_string(lines_sent) + " lines but " +
                              std::to_string(lines_) + " arrived: the stream was altered in transit; export again");
  }
  return digest_.Finish();
}

std::string FooterLine(FooterRec footer) {
  return EncodeLine(Record{kTreeFooter, std::move(footer)});
}

namespace {
// A batch is handed over at this many bytes of lines or records, and before every read that may
// wait; this many batches may wait for `visit`. Small enough that the batches alive at once
// (about kBatchesAhead + 3, each with its lines' text and records) stay a few MiB: a reader's
// memory must not grow with the stream (cli_inspect holds inspect to 8 MiB over its small run).
constexpr uint64_t kBatchLineBytes = 256 << 10;
constexpr size_t kBatchRecords = 1024;
constexpr size_t kBatchesAhead = 2;
}  // namespace

// A run of decoded records, in line order, and where each one ends; the last batch of a
// stream also carries how the reading ended.
struct ExportStreamReader::Batch {
  // records[0, size): decoded in order; the slots beyond are kept, with their memory, for the
  // next use of the batch.
  std::vector<Record> records;
  size_t size = 0;
  std::vector<Position> at;  // at[i]: the position after records[i]'s line
  // What the footer covers: the lines of `records`, each with its '\n' (text_lines of them);
  // or, in a batch of its own before its record's batch, a line longer than a batch (without
  // its '\n'), shared with the reading thread while it decodes the line.
  std::string text;
  uint64_t text_lines = 0;
  std::shared_ptr<const LineReader::TakenLine> long_line;
  uint64_t line_bytes = 0;   // of the lines decoded into `records`
  bool last = false;
  Status end;                // when last: Finish()'s outcome, or the error that stopped the reading

  Record* NextSlot() {
    if (size == records.size()) records.emplace_back();
    return &records[size];
  }
  void Clear() {
    size = 0;
    at.clear();
    if (text.capacity() > 2 * kBatchLineBytes) std::string().swap(text);
    text.clear();
    text_lines = 0;
    long_line.reset();
    line_bytes = 0;
  }
};

void ExportStreamReader::ReadBatches(std::istream& in, BoundedQueue<Batch>* out, BoundedQueue<Batch>* visited) {
  Batch batch;
  bool stopped = false;  // `visit` failed: the queue is closed
  Status injected;       // the import-read-batch failpoint's error: ends the read as a read error would
  auto hand_over = [&] {
    if (batch.size == 0 || stopped) return;
    if (Status fp = failpoint::Hit("import-read-batch"); !fp.ok() && injected.ok()) injected = std::move(fp);
    stopped = !out->Push(std::move(batch));
    // Visited batches come back, their records decoded into again: nothing is allocated per
    // line, and nothing allocated here is freed on the other thread (glibc's malloc frees
    // another thread's blocks under that thread's arena lock, which both threads then wait on).
    if (!visited->TryPop(&batch)) batch = Batch{};
    batch.Clear();
  };
  LineReader reader(in, options_.max_line_bytes);
  reader.OnBeforeRead(hand_over);
  std::string_view line;
  bool terminated = true;
  Status end;
  while (!stopped) {
    if (!injected.ok()) {
      end = injected;
      break;
    }
    const LineReader::Outcome outcome = reader.Next(&line, &terminated);
    if (outcome == LineReader::Outcome::kEnd) {
      end = Finish();
      break;
    }
    if (outcome == LineReader::Outcome::kReadError) {
      end = Status::IOError("read failed after line " + std::to_string(lines_));
      break;
    }
    if (outcome == LineReader::Outcome::kLineTooLong) {
      end = Status::InvalidArgument(
          "line " + std::to_string(lines_ + 1) + ": longer than the limit of " + std::to_string(options_.max_line_bytes) +
          " bytes; if the stream is genuine (a value that large), raise the limit with --max-line-bytes");
      break;
    }
    // A line longer than a batch is not copied (import's bound: a line costs at most ~2x its
    // size): it is moved out of the reader and handed over first, in a batch of its own, so
    // that the other thread hashes it while this one decodes it; the last of the two to be done
    // with it frees it, before its record is written.
    std::shared_ptr<const LineReader::TakenLine> long_line;
    if (LineReader::TakenLine taken; line.size() > kBatchLineBytes && reader.TakeLine(&taken)) {
      hand_over();  // the lines before it are hashed first
      long_line = std::make_shared<const LineReader::TakenLine>(std::move(taken));
      line = long_line->view();
      Batch hash_only;
      hash_only.long_line = long_line;
      if (stopped || !out->Push(std::move(hash_only))) return;
    }
    Result<LineKind> kind = Count(line, batch.NextSlot(), terminated);
    const uint64_t line_bytes = line.size();
    if (kind.ok() && *kind == LineKind::kRecord && !long_line) {
      batch.text.append(line).push_back('\n');
      ++batch.text_lines;
    }
    long_line.reset();
    reader.ReleaseLine();  // decoded (and kept for the hash): only the record is needed from here
    if (!kind.ok()) {
      end = kind.status();
      break;
    }
    if (*kind != LineKind::kRecord) continue;  // the footer: its slot is not taken
    ++batch.size;
    batch.at.push_back({lines_, bytes_});
    batch.line_bytes += line_bytes;
    if (batch.line_bytes >= kBatchLineBytes || batch.size >= kBatchRecords) hand_over();
  }
  if (stopped) return;
  batch.last = true;
  batch.end = std::move(end);
  out->Push(std::move(batch));
}

Status ExportStreamReader::ReadAll(std::istream& in, const std::function<Status(const Record&)>& visit) {
  BoundedQueue<Batch> batches(kBatchesAhead);
  // Visited batches go back to the reading thread. Never full: a batch is made only when none
  // came back, so no more than kBatchesAhead + 2 exist.
  BoundedQueue<Batch> visited(kBatchesAhead + 2);
  // The SHA-256 of the lines is taken on this thread, the lighter one, from each batch's text:
  // the reading thread only copies the lines (and the footer is checked here, at the end).
  hashed_by_visitor_ = true;
  std::thread reading([&] { ReadBatches(in, &batches, &visited); });
  Status outcome;
  bool visited_all = true;
  Batch batch;
  while (visited_all && batches.Pop(&batch)) {
    digest_.AddBytes(batch.text, batch.text_lines);
    if (batch.long_line) {
      digest_.AddLine(batch.long_line->view());
      batch.long_line.reset();  // hashed: freed here or when the reading thread has decoded it
    }
    for (size_t i = 0; i < batch.size; ++i) {
      shown_ = batch.at[i];
      Status st = visit(batch.records[i]);
      if (!st.ok()) {
        outcome = st.WithContext("line " + std::to_string(shown_.lines));
        visited_all = false;
        break;
      }
    }
    if (visited_all && batch.last) {
      outcome = std::move(batch.end);
      break;
    }
    // A long line's record is freed as soon as it is visited, not when the batch is reused: a
    // huge value must not live on while what `visit` wrote of it is flushed (import's bound).
    if (batch.line_bytes > 2 * kBatchLineBytes) std::vector<Record>().swap(batch.records);
    if (visited_all) visited.TryPush(std::move(batch));
  }
  batches.Close();  // a reading thread still pushing stops
  reading.join();
  hashed_by_visitor_ = false;
  // Every line before the footer was hashed: its check comes before any error of a later line.
  if (visited_all && footer_seen_ && footer_line_ > 1) {
    computed_footer_ = digest_.Finish();
    if (Status st = CheckFooter(footer_, computed_footer_); !st.ok()) {
      outcome = st.WithContext("line " + std::to_string(footer_line_));
    }
  }
  // After a failed `visit`, lines() stays at its record; otherwise it is where the reading ended.
  if (visited_all) shown_ = {lines_, bytes_};
  return outcome;
}

}  // namespace raftstore
