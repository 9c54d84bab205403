#include "raftstore/export_format/export_stream.h"

#include <variant>

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
  Result<Record> rec = DecodeLine(line);
  if (!rec.ok()) {
    if (!terminated) {
      return rec.status().WithContext("last line is cut short (no newline): the stream was truncated");
    }
    return rec.status();
  }
  *out = std::move(*rec);
  return Status::OK();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Status ExportStreamWriter::Add(const Record& record, std::string* line) {
  const bool is_header = std::holds_alternative<HeaderRec>(record.body);
  if (finished_) return Status::Internal("export stream: a record after the footer");
  if (std::holds_alternative<FooterRec>(record.body)) {
    return Status::Internal("export stream: the footer is written by Finish(), not Add()");
  }
  if (is_header != (digest_.records() == 0)) {
    return Status::Internal(is_header ? "export stream: a second header"
                                      : std::string("export stream: the first record must be the header, not ") +
                                            RecordKindName(record.body));
  }
  EncodeLine(record, line);
  digest_.AddLine(*line);
  return Status::OK();
}

bool ExportStreamWriter::Finish(std::string* line) {
  if (finished_ || !footer_) {
    finished_ = true;
    return false;  // a second call must not finish the digest twice
  }
  finished_ = true;
  *line = EncodeLine(Record{kTreeFooter, digest_.Finish()});
  return true;
}

// ---------------------------------------------------------------------------------------------

Result<ExportStreamReader::LineKind> ExportStreamReader::Next(std::string_view line, Record* record,
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
    computed_footer_ = digest_.Finish();
    RS_RETURN_IF_ERROR(CheckFooter(footer_, computed_footer_));
    return LineKind::kFooter;
  }
  digest_.AddLine(line);
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

Status ExportStreamReader::ReadAll(std::istream& in, const std::function<Status(const Record&)>& visit) {
  LineReader reader(in, options_.max_line_bytes);
  std::string_view line;
  bool terminated = true;
  Record record;
  for (;;) {
    switch (reader.Next(&line, &terminated)) {
      case LineReader::Outcome::kLine: break;
      case LineReader::Outcome::kEnd: return Finish();
      case LineReader::Outcome::kReadError:
        return Status::IOError("read failed after line " + std::to_string(lines_));
      case LineReader::Outcome::kLineTooLong:
        return Status::InvalidArgument(
            "line " + std::to_string(lines_ + 1) + ": longer than the limit of " +
            std::to_string(options_.max_line_bytes) +
            " bytes; if the stream is genuine (a value that large), raise the limit with --max-line-bytes");
    }
    Result<LineKind> kind = Next(line, &record, terminated);
    reader.ReleaseLine();  // decoded (and hashed): only the record is needed from here
    if (!kind.ok()) return kind.status();
    if (*kind != LineKind::kRecord) continue;
    Status st = visit(record);
    if (!st.ok()) return st.WithContext("line " + std::to_string(lines_));
  }
}

}  // namespace raftstore
