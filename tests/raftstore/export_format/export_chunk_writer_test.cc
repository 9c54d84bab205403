// The chunked export writer (export_chunk_writer.h) against the line-at-a-time writer: the same
// bytes and footer whatever the chunking; chunks end after whole lines at the limits; a failing
// sink stops the export. And ReadAll's second thread (export_stream.h): the sequential outcome.
#include <atomic>
#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/export_chunk_writer.h"
#include "raftstore/export_format/export_stream.h"
#include "raftstore/export_format/line_codec.h"
#include "tests/raftstore/export_format/stream_text.h"

using namespace raftstore;

namespace {

// A header and `n` keys of about `value_bytes` bytes each. Metas and lengths vary from key to
// key, so that a reader that decodes into reused records shows any field it fails to overwrite.
std::vector<Record> Records(int n, size_t value_bytes = 100) {
  std::vector<Record> records{MakeHeader(), Record{kTreeStateMachine, SequenceRec{"generic-kv", 1u + n}}};
  for (int i = 0; i < n; ++i) {
    std::optional<KvMeta> meta;
    if (i % 3 == 1) meta = KvMeta{};
    if (i % 3 == 2) meta = KvMeta{.expire_at = 2000000000u + i, .proposed_at_ms = {}};
    SeqV v{static_cast<uint64_t>(i + 1), meta, std::string(value_bytes + i % 7, static_cast<char>(i))};
    records.push_back(Record{kTreeStateMachine, KvRec{"k/" + std::to_string(100000 + i) + std::string(i % 5, 'x'), v}});
  }
  return records;
}

std::string LineAtATime(const std::vector<Record>& records, bool footer) { return testutil::StreamText(records, footer); }

struct Chunked {
  std::vector<std::string> chunks;
  Status status;
  std::string Joined() const {
    std::string all;
    for (const auto& c : chunks) all += c;
    return all;
  }
};

Chunked Chunk(const std::vector<Record>& records, ExportChunkWriter::Options options) {
  Chunked out;
  ExportChunkWriter writer(options, [&](std::string& chunk) {
    out.chunks.push_back(std::move(chunk));  // the sink may move from it
    return Status::OK();
  });
  for (const Record& r : records) {
    out.status = writer.Add(r);
    if (!out.status.ok()) return out;
  }
  out.status = writer.Finish();
  return out;
}

}  // namespace

TEST(ExportChunkWriter, SameBytesAndFooterAsTheLineWriterWhateverTheChunking) {
  const auto records = Records(3000);
  for (bool footer : {true, false}) {
    const std::string want = LineAtATime(records, footer);
    for (uint64_t bytes : {1ull, 4096ull, 100000ull, 1ull << 20, 1ull << 30}) {
      Chunked got = Chunk(records, {.footer = footer, .chunk_bytes = bytes});
      ASSERT_TRUE(got.status.ok()) << got.status.message();
      EXPECT_EQ(got.Joined(), want) << "chunk_bytes " << bytes << " footer " << footer;
    }
  }
}

TEST(ExportChunkWriter, ChunksEndAfterWholeLinesAtTheLimits) {
  const auto records = Records(500);
  Chunked by_bytes = Chunk(records, {.chunk_bytes = 10000});
  ASSERT_TRUE(by_bytes.status.ok());
  ASSERT_GT(by_bytes.chunks.size(), 5u);
  for (size_t i = 0; i + 1 < by_bytes.chunks.size(); ++i) {
    const std::string& c = by_bytes.chunks[i];
    ASSERT_EQ(c.back(), '\n') << "chunk " << i;
    const uint64_t lines = std::count(c.begin(), c.end(), '\n');
    const uint64_t text = c.size() - lines;  // without newlines, as chunk_bytes counts
    const size_t last_start = c.rfind('\n', c.size() - 2) + 1;
    EXPECT_GE(text, 10000u) << "chunk " << i;
    EXPECT_LT(text - (c.size() - last_start - 1), 10000u) << "chunk " << i << " would have reached it one line earlier";
  }
  Chunked by_lines = Chunk(records, {.chunk_lines = 7});
  ASSERT_TRUE(by_lines.status.ok());
  for (size_t i = 0; i + 1 < by_lines.chunks.size(); ++i) {
    EXPECT_EQ(std::count(by_lines.chunks[i].begin(), by_lines.chunks[i].end(), '\n'), 7) << "chunk " << i;
  }
  // The footer goes out with the last lines: 502 lines = 71 chunks of 7 and 5 lines + footer.
  EXPECT_EQ(std::count(by_lines.chunks.back().begin(), by_lines.chunks.back().end(), '\n'), 6);
}

TEST(ExportChunkWriter, ASinkErrorStopsTheExport) {
  const auto records = Records(20000);
  int calls = 0;
  Status st;
  {
    ExportChunkWriter writer({.chunk_bytes = 4096}, [&](std::string&) {
      return ++calls == 3 ? Status::IOError("disk full") : Status::OK();
    });
    size_t added = 0;
    for (const Record& r : records) {
      st = writer.Add(r);
      if (!st.ok()) break;
      ++added;
    }
    if (st.ok()) st = writer.Finish();
    EXPECT_LT(added, records.size()) << "Add went on after the sink failed";
  }
  EXPECT_EQ(st.message(), "disk full");
  EXPECT_EQ(calls, 3);  // nothing is written after the failed chunk
}

// Records of several kinds and sizes, and one value larger than a chunk: the same bytes as the
// line-at-a-time writer, whatever the chunking.
TEST(ExportChunkWriter, RecordsOfEveryKindAndSize) {
  std::vector<Record> records{MakeHeader()};
  for (int i = 0; i < 6000; ++i) {
    const std::string key = "k/" + std::to_string(i) + std::string(static_cast<size_t>(i % 40), 'y');
    switch (i % 4) {
      case 0:
        records.push_back(Record{kTreeStateMachine, KvRec{key, SeqV{static_cast<uint64_t>(i), {}, std::string(i % 300, 'v')}}});
        break;
      case 1:
        records.push_back(Record{kTreeStateMachine,
                                 ExpireRec{ExpireKey{static_cast<uint64_t>(i) * 1000, static_cast<uint64_t>(i)},
                                           ExpireValue{static_cast<uint64_t>(i), key}}});
        break;
      case 2:
        records.push_back(Record{kTreeStateMachine, SequenceRec{key, static_cast<uint64_t>(i)}});
        break;
      default:
        records.push_back(Record{kTreeRaftLog, CommittedRec{LogId{1, static_cast<uint64_t>(i)}}});
    }
    if (i == 3001) {  // a value of two default chunks
      records.push_back(Record{kTreeStateMachine,
                               KvRec{"big", SeqV{1, {}, std::string(2 * ExportChunkWriter::kDefaultChunkBytes, 'b')}}});
    }
  }
  for (uint64_t bytes : {4096ull, 1ull << 20}) {
    Chunked got = Chunk(records, {.chunk_bytes = bytes});
    ASSERT_TRUE(got.status.ok()) << got.status.message();
    EXPECT_EQ(got.Joined(), LineAtATime(records, true)) << "chunk_bytes " << bytes;
  }
}

// Destroying the writer without Finish() (an interrupted export): the sink call under way
// ends, the chunks that wait are not written, and the sink is never called again.
TEST(ExportChunkWriter, DestroyedWithoutFinishWritesNothingMore) {
  const auto records = Records(100);  // about 10 lines per 4 KiB chunk
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  std::thread releaser;
  {
    ExportChunkWriter writer({.chunk_bytes = 4096}, [&](std::string&) {
      ++calls;
      while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Status::OK();
    });
    // Three full chunks: the first is in the sink, which holds it, and two wait.
    size_t added = 0;
    while (calls.load() == 0 || added < 35) {
      ASSERT_LT(added, records.size());
      ASSERT_TRUE(writer.Add(records[added++]).ok());
    }
    // The destructor below starts at once; the sink call ends half a second later.
    releaser = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      release = true;
    });
  }
  releaser.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls.load(), 1);
}

TEST(ExportChunkWriter, RefusesRecordsOutOfOrderLikeTheLineWriter) {
  ExportChunkWriter writer({}, [](std::string&) { return Status::OK(); });
  EXPECT_EQ(writer.Add(Record{kTreeRaftLog, NodeIdRec{1}}).code(), Status::Code::kInternal);
}

// ReadAll decodes on a second thread; what `visit` sees and what it returns is as if it did not.
TEST(ExportStreamReaderAhead, VisitSeesEveryRecordInOrderWithItsLineAndBytes) {
  const auto records = Records(20000, 300);  // ~25 batches of 1 MiB of lines
  std::istringstream in(LineAtATime(records, true));
  ExportStreamReader reader;
  uint64_t visited = 0, bytes = 0;
  Status st = reader.ReadAll(in, [&](const Record& r) {
    ++visited;
    EXPECT_EQ(reader.lines(), visited);
    EXPECT_EQ(r, records[visited - 1]);
    bytes += EncodeLine(r).size() + 1;
    EXPECT_EQ(reader.bytes(), bytes);
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(visited, records.size());
  EXPECT_EQ(reader.lines(), records.size() + 1);  // the footer too, once done
  EXPECT_TRUE(reader.footer_seen());
}

TEST(ExportStreamReaderAhead, TheFirstErrorByLineWinsWhoeverFindsIt) {
  std::string text = LineAtATime(Records(20000, 300), true);
  // A broken line far down the stream, which the reading thread reaches before `visit` fails.
  const size_t at = text.find("\"k/119000\"");  // 119000 % 5 == 0: no 'x' after it
  ASSERT_NE(at, std::string::npos);
  text[at + 1] = '\x01';  // a control byte inside a key string: the line does not decode
  {
    std::istringstream in(text);
    ExportStreamReader reader;
    Status st = reader.ReadAll(in, [&](const Record&) {
      return reader.lines() == 100 ? Status::Aborted("visit stops at line 100") : Status::OK();
    });
    EXPECT_EQ(st.message(), "line 100: visit stops at line 100");
    EXPECT_EQ(reader.lines(), 100u);
  }
  {
    std::istringstream in(text);
    ExportStreamReader reader;
    uint64_t visited = 0;
    Status st = reader.ReadAll(in, [&](const Record&) {
      ++visited;
      return Status::OK();
    });
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    EXPECT_EQ(st.message().rfind("line 19003: ", 0), 0u) << st.message();
    EXPECT_EQ(visited, 19002u);  // every line before the broken one, none after
  }
}

// ReadAll hashes on the visiting thread and checks the footer once every line before it is
// hashed: a wrong footer is still the error, before a line after it, as a one-thread read says.
TEST(ExportStreamReaderAhead, AWrongFooterIsReportedBeforeALineAfterIt) {
  const auto records = Records(5000);
  const std::string good = LineAtATime(records, true);
  std::string bad_digest = good;
  const size_t sha = bad_digest.rfind("\"sha256\":\"") + 10;
  bad_digest[sha] = bad_digest[sha] == 'a' ? 'b' : 'a';
  const std::string extra = LineAtATime({records[0], records[2]}, false).substr(LineAtATime({records[0]}, false).size());
  const uint64_t footer_line = records.size() + 1;
  for (const std::string& text : {bad_digest, bad_digest + extra}) {
    std::istringstream in(text);
    ExportStreamReader reader;
    Status st = reader.ReadAll(in, [](const Record&) { return Status::OK(); });
    EXPECT_EQ(st.message().rfind("line " + std::to_string(footer_line) + ": footer checksum ", 0), 0u) << st.message();
    EXPECT_NE(reader.footer(), reader.computed_footer());
  }
  std::istringstream in(good + extra);
  ExportStreamReader reader;
  EXPECT_EQ(reader.ReadAll(in, [](const Record&) { return Status::OK(); }).message(),
            "line " + std::to_string(footer_line + 1) + ": data after the footer line; the stream was altered");
  EXPECT_EQ(reader.computed_footer(), reader.footer());
  EXPECT_EQ(reader.records(), records.size());
}
