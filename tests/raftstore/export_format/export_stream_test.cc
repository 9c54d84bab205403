// The export-stream writer and reader: order, footer (present, absent, wrong count, wrong
// digest, a line after it, cut short), `import --allow-no-footer` and `export --no-footer`.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/export_stream.h"
#include "raftstore/export_format/line_codec.h"

using namespace raftstore;

namespace {

using Origin = ExportStreamReader::Origin;
using LineKind = ExportStreamReader::LineKind;

std::vector<Record> SampleRecords() {
  SeqV a{1, KvMeta{}, "1"};
  SeqV b{2, KvMeta{}, std::string("\x00\xff", 2)};
  return {
      MakeHeader(),
      Record{kTreeRaftLog, NodeIdRec{1}},
      Record{kTreeStateMachine, SequenceRec{"generic-kv", 2}},
      Record{kTreeStateMachine, KvRec{"a", a}},
      Record{kTreeStateMachine, KvRec{"b", b}},
  };
}

// The lines the writer gives for `records` (no '\n'), footer last when `footer`.
std::vector<std::string> WriteLines(const std::vector<Record>& records, bool footer = true) {
  ExportStreamWriter writer(footer);
  std::vector<std::string> lines;
  std::string line;
  for (const Record& r : records) {
    Status st = writer.Add(r, &line);
    EXPECT_TRUE(st.ok()) << st.message();
    lines.push_back(std::move(line));
  }
  if (writer.Finish(&line)) lines.push_back(line);
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string FooterOf(const std::vector<std::string>& lines) {
  StreamDigest d;
  for (const auto& l : lines) d.AddLine(l);
  return EncodeLine(Record{kTreeFooter, d.Finish()});
}

struct ReadResult {
  Status status;
  std::vector<Record> visited;
  uint64_t records = 0;
  bool footer_seen = false;
};

ReadResult ReadText(const std::string& text, ExportStreamReader::Options options = {}) {
  ExportStreamReader reader(options);
  std::istringstream in(text);
  ReadResult r;
  r.status = reader.ReadAll(in, [&](const Record& rec) {
    r.visited.push_back(rec);
    return Status::OK();
  });
  r.records = reader.records();
  r.footer_seen = reader.footer_seen();
  return r;
}

// Feeds `lines` to a relaying reader (no decoding of record lines), then Finish().
Status Relay(const std::vector<std::string>& lines, ExportStreamReader::Options options = {}) {
  ExportStreamReader reader(options);
  for (const auto& l : lines) {
    auto kind = reader.Next(l, nullptr);
    if (!kind.ok()) return kind.status();
  }
  return reader.Finish();
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

// ----- writer ---------------------------------------------------------------------------------

TEST(ExportStreamWriter, WritesRecordsThenTheFooterOfExactlyThoseLines) {
  auto records = SampleRecords();
  auto lines = WriteLines(records);
  ASSERT_EQ(lines.size(), records.size() + 1);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(lines[i], EncodeLine(records[i])) << i;
  std::vector<std::string> body(lines.begin(), lines.end() - 1);
  EXPECT_EQ(lines.back(), FooterOf(body));
  EXPECT_TRUE(lines.back().starts_with(R"(["footer",{"Footer":{"records":5,"sha256":")")) << lines.back();
}

TEST(ExportStreamWriter, NoFooterWritesTheSameLinesWithoutIt) {
  auto with = WriteLines(SampleRecords(), true);
  auto without = WriteLines(SampleRecords(), false);
  with.pop_back();
  EXPECT_EQ(without, with);
  ExportStreamWriter writer(false);
  std::string line = "untouched";
  EXPECT_FALSE(writer.Finish(&line));
  EXPECT_EQ(line, "untouched");
}

TEST(ExportStreamWriter, RefusesRecordsOutOfOrder) {
  std::string line;
  ExportStreamWriter no_header;
  Status st = no_header.Add(Record{kTreeRaftLog, NodeIdRec{1}}, &line);
  EXPECT_EQ(st.code(), Status::Code::kInternal);
  EXPECT_TRUE(Contains(st.message(), "the first record must be the header, not NodeId")) << st.message();

  ExportStreamWriter w;
  ASSERT_TRUE(w.Add(MakeHeader(), &line).ok());
  EXPECT_TRUE(Contains(w.Add(MakeHeader(), &line).message(), "a second header"));
  EXPECT_TRUE(Contains(w.Add(Record{kTreeFooter, FooterRec{1, "x"}}, &line).message(), "Finish()"));
  EXPECT_EQ(w.records(), 1u);
  ASSERT_TRUE(w.Finish(&line));
  EXPECT_TRUE(Contains(w.Add(Record{kTreeRaftLog, NodeIdRec{1}}, &line).message(), "after the footer"));
  EXPECT_FALSE(w.Finish(&line));  // once only
}

// ----- reader: footer -------------------------------------------------------------------------

TEST(ExportStreamReader, FooterPresentAndRight) {
  auto records = SampleRecords();
  ReadResult r = ReadText(Joined(WriteLines(records)));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(r.footer_seen);
  EXPECT_EQ(r.records, records.size());
  EXPECT_EQ(r.visited, records);  // header included, footer not
}

TEST(ExportStreamReader, FooterAbsentIsRefusedUnlessAllowed) {
  const std::string text = Joined(WriteLines(SampleRecords(), /*footer=*/false));
  ReadResult refused = ReadText(text);
  EXPECT_EQ(refused.status.code(), Status::Code::kCorruption);
  EXPECT_EQ(refused.status.message(),
            "no integrity footer: the stream may be cut short; if it is a databend-metactl export, add "
            "--allow-no-footer (the stream ended after 5 lines)");
  EXPECT_EQ(refused.visited.size(), 5u);  // every line was read and checked before the end

  ReadResult allowed = ReadText(text, {Origin::kFile, /*allow_no_footer=*/true});
  ASSERT_TRUE(allowed.status.ok()) << allowed.status.message();
  EXPECT_FALSE(allowed.footer_seen);
  EXPECT_EQ(allowed.records, 5u);

  Status server = Relay(WriteLines(SampleRecords(), false), {Origin::kServer, false});
  EXPECT_EQ(server.message(),
            "the stream ended after 5 lines without the integrity footer: it was cut short (or the "
            "server is too old); export again");
}

TEST(ExportStreamReader, FooterWithWrongCount) {
  auto lines = WriteLines(SampleRecords(), false);
  auto fewer = lines;
  fewer.pop_back();
  lines.push_back(FooterOf(fewer));
  ReadResult r = ReadText(Joined(lines));
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_TRUE(r.status.message().starts_with("line 6: footer says 4 records but 5 precede it"))
      << r.status.message();
  EXPECT_EQ(Relay(lines).message(), r.status.message());
}

TEST(ExportStreamReader, FooterWithWrongDigest) {
  auto lines = WriteLines(SampleRecords(), false);
  auto other = lines;
  other[3] = R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":{},"data":[57]}}}])";
  lines.push_back(FooterOf(other));  // same count
  ReadResult r = ReadText(Joined(lines));
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_TRUE(r.status.message().starts_with("line 6: footer checksum ")) << r.status.message();
  EXPECT_TRUE(Contains(r.status.message(), "does not match the content")) << r.status.message();
  EXPECT_EQ(Relay(lines).message(), r.status.message());
}

// `metactl inspect` shows both footers of a mismatch: the one read and the one computed.
TEST(ExportStreamReader, KeepsTheFooterReadAndTheOneComputed) {
  auto lines = WriteLines(SampleRecords(), false);
  const std::string right = FooterOf(lines);
  auto other = lines;
  other[3] = R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":{},"data":[57]}}}])";
  lines.push_back(FooterOf(other));
  ExportStreamReader reader;
  std::istringstream in(Joined(lines));
  EXPECT_FALSE(reader.ReadAll(in, [](const Record&) { return Status::OK(); }).ok());
  ASSERT_TRUE(reader.footer_seen());
  EXPECT_EQ(EncodeLine(Record{kTreeFooter, reader.computed_footer()}), right);
  EXPECT_EQ(EncodeLine(Record{kTreeFooter, reader.footer()}), FooterOf(other));
  EXPECT_NE(reader.footer(), reader.computed_footer());
}

TEST(ExportStreamReader, LineAfterFooterIsRefusedWithTheOriginsDiagnosis) {
  auto lines = WriteLines(SampleRecords());
  lines.push_back(lines[3]);
  ReadResult r = ReadText(Joined(lines), {Origin::kFile, true});
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_EQ(r.status.message(), "line 7: data after the footer line; the stream was altered");
  EXPECT_EQ(Relay(lines, {Origin::kServer, false}).message(),
            "line 7: a line after the integrity footer: the stream is malformed");
}

TEST(ExportStreamReader, CutShort) {
  const std::string full = Joined(WriteLines(SampleRecords()));
  // Mid-line: the last line has no newline and does not decode.
  ReadResult mid = ReadText(full.substr(0, full.size() - 20), {Origin::kFile, true});
  EXPECT_EQ(mid.status.code(), Status::Code::kCorruption);
  EXPECT_TRUE(mid.status.message().starts_with(
      "line 6: last line is cut short (no newline): the stream was truncated: invalid JSON"))
      << mid.status.message();
  // At a line boundary (the footer lost): looks like a stream without a footer.
  std::string at_boundary = full.substr(0, full.rfind("[\"footer\""));
  EXPECT_EQ(ReadText(at_boundary).status.message(),
            "no integrity footer: the stream may be cut short; if it is a databend-metactl export, add "
            "--allow-no-footer (the stream ended after 5 lines)");
  EXPECT_TRUE(ReadText(at_boundary, {Origin::kFile, true}).status.ok());
  // A complete last line without its newline is fine.
  ReadResult no_newline = ReadText(full.substr(0, full.size() - 1));
  EXPECT_TRUE(no_newline.status.ok()) << no_newline.status.message();
}

// ----- reader: framing ------------------------------------------------------------------------

TEST(ExportStreamReader, RefusesBadFraming) {
  auto lines = WriteLines(SampleRecords());
  const std::string header = lines[0], node = lines[1];
  struct Case {
    std::vector<std::string> lines;
    std::string want;
  };
  const Case cases[] = {
      {{header, "", node}, "line 2: empty line"},
      {{node, header}, "line 1: expected the header line first, found NodeId: input without a header (V0 or V001) "
                       "is not supported; supported versions are V002, V003 and V004"},
      {{R"(["header",{"DataHeader":{"key":"header","value":{"version":"V001"}}}])"},
       "line 1: version V001 is not supported; supported versions are V002, V003 and V004"},
      {{header, node, header}, "line 3: a second header line"},
      {{FooterOf({})}, "line 1: a footer but no header: expected the header line first"},
      {{header, "{\"not json"}, "line 2: invalid JSON"},
  };
  for (const Case& c : cases) {
    ReadResult r = ReadText(Joined(c.lines), {Origin::kFile, true});
    EXPECT_TRUE(r.status.message().starts_with(c.want)) << r.status.message() << "\nwant: " << c.want;
  }
  // A relay decodes only line 1 and footers, so it finds the same framing faults, not bad JSON.
  for (size_t i = 0; i + 1 < std::size(cases); ++i) {
    Status st = Relay(cases[i].lines, {Origin::kServer, true});
    EXPECT_TRUE(st.message().starts_with(cases[i].want)) << st.message() << "\nwant: " << cases[i].want;
  }
  EXPECT_TRUE(Relay({header, "{\"not json"}, {Origin::kServer, true}).ok());
}

TEST(ExportStreamReader, EmptyStream) {
  ReadResult allowed = ReadText("", {Origin::kFile, true});
  EXPECT_EQ(allowed.status.message(),
            "empty stream: expected a header line first (an export of metactl or databend-metactl)");
  EXPECT_TRUE(Contains(Relay({}, {Origin::kServer, false}).message(), "ended after 0 lines"));
}

TEST(ExportStreamReader, VisitErrorsNameTheLine) {
  ExportStreamReader reader({Origin::kFile, true});
  std::istringstream in(Joined(WriteLines(SampleRecords())));
  Status st = reader.ReadAll(in, [](const Record& rec) {
    return std::holds_alternative<KvRec>(rec.body) ? Status::Corruption("no keys here") : Status::OK();
  });
  EXPECT_EQ(st.message(), "line 4: no keys here");
}

TEST(ExportStreamReader, NextReportsKindsAndCounts) {
  auto lines = WriteLines(SampleRecords());
  ExportStreamReader reader;
  Record rec;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    auto kind = reader.Next(lines[i], &rec);
    ASSERT_TRUE(kind.ok()) << kind.status().message();
    EXPECT_EQ(*kind, LineKind::kRecord);
  }
  auto kind = reader.Next(lines.back(), &rec);
  ASSERT_TRUE(kind.ok()) << kind.status().message();
  EXPECT_EQ(*kind, LineKind::kFooter);
  EXPECT_TRUE(std::holds_alternative<FooterRec>(rec.body));
  EXPECT_EQ(reader.lines(), lines.size());
  EXPECT_EQ(reader.records(), lines.size() - 1);
  EXPECT_TRUE(reader.Finish().ok());
}
