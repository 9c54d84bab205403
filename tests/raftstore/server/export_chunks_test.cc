// The Export RPC of a real metasrv sends chunks by bytes (issue 14): a chunk ends at the first
// line that brings it to ExportRequest.chunk_bytes (default 1 MiB), or at chunk_size lines when
// that is set; whatever the chunking, the lines are the same. Asked for client_footer, it sends
// the same lines without the footer, each chunk with its checksum, and ends with its end marker.
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/chunk_lines.h"
#include "tests/raftstore/server/process.h"

using namespace testutil;
namespace fs = std::filesystem;

namespace {

struct Chunks {
  std::vector<std::vector<std::string>> chunks;
  std::vector<std::string> Lines() const {
    std::vector<std::string> all;
    for (const auto& c : chunks) all.insert(all.end(), c.begin(), c.end());
    return all;
  }
};

Chunks Export(Metasrv& m, uint32_t chunk_bytes, uint32_t chunk_size) {
  metasrv::ExportRequest req;
  req.set_chunk_bytes(chunk_bytes);
  req.set_chunk_size(chunk_size);
  grpc::ClientContext ctx;
  auto reader = m.stub().Export(&ctx, req);
  Chunks got;
  metasrv::ExportChunk chunk;
  while (reader->Read(&chunk)) got.chunks.emplace_back(chunk.lines().begin(), chunk.lines().end());
  grpc::Status st = reader->Finish();
  EXPECT_TRUE(st.ok()) << st.error_message();
  return got;
}

uint64_t Bytes(const std::vector<std::string>& lines) {
  uint64_t n = 0;
  for (const auto& l : lines) n += l.size();
  return n;
}

// Every chunk but the last reaches `limit` bytes, and would not without its last line.
void ExpectCutByBytes(const Chunks& c, uint64_t limit) {
  ASSERT_GE(c.chunks.size(), 3u) << "too few chunks to show anything";
  for (size_t i = 0; i + 1 < c.chunks.size(); ++i) {
    const uint64_t bytes = Bytes(c.chunks[i]);
    EXPECT_GE(bytes, limit) << "chunk " << i;
    EXPECT_LT(bytes - c.chunks[i].back().size(), limit) << "chunk " << i;
  }
  EXPECT_LE(Bytes(c.chunks.back()), limit + c.chunks.back().back().size());
}

}  // namespace

TEST(ExportChunks, ByBytesByDefaultAndByLinesOnRequest) {
  char tmpl[] = "/tmp/metasrv-export-chunks.XXXXXX";
  const std::string root = mkdtemp(tmpl);
  {
    Metasrv m(root + "/raft");
    ASSERT_TRUE(m.Start({"--single"})) << m.log();
    // 1,200 keys of 1,000-byte values: about 4 KB per line, 4.7 MB in all.
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = t; i < 1200; i += 4) {
          metasrv::UpsertRequest r;
          r.set_key("k/" + std::to_string(100000 + i));
          r.set_value(std::string(1000, static_cast<char>('a' + i % 26)));
          metasrv::UpsertReply reply;
          grpc::Status st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m.stub().Upsert(c, q, p); },
                                 r, &reply);
          ASSERT_TRUE(st.ok()) << st.error_message();
        }
      });
    }
    for (auto& w : writers) w.join();

    const Chunks by_default = Export(m, 0, 0);
    ExpectCutByBytes(by_default, 1 << 20);
    const Chunks small = Export(m, 200000, 0);
    ExpectCutByBytes(small, 200000);
    const Chunks by_lines = Export(m, 0, 7);
    ASSERT_GT(by_lines.chunks.size(), 100u);
    for (size_t i = 0; i + 1 < by_lines.chunks.size(); ++i) EXPECT_EQ(by_lines.chunks[i].size(), 7u) << "chunk " << i;

    const std::vector<std::string> lines = by_default.Lines();
    EXPECT_GT(lines.size(), 1200u);
    EXPECT_EQ(small.Lines(), lines);
    EXPECT_EQ(by_lines.Lines(), lines);

    // client_footer: data with checksums, no footer line, then the end marker with the count.
    metasrv::ExportRequest req;
    req.set_as_data(true);
    req.set_client_footer(true);
    grpc::ClientContext ctx;
    auto reader = m.stub().Export(&ctx, req);
    metasrv::ExportChunk chunk;
    std::string data;
    size_t chunks = 0, ends = 0;
    uint64_t end_lines = 0;
    while (reader->Read(&chunk)) {
      EXPECT_EQ(ends, 0u) << "nothing after the end marker";
      if (chunk.end()) {
        ++ends;
        end_lines = chunk.total_lines();
        EXPECT_TRUE(chunk.data().empty());
        continue;
      }
      ++chunks;
      ASSERT_TRUE(chunk.has_xxh3()) << "chunk " << chunks;
      EXPECT_EQ(chunk.xxh3(), raftstore::ChunkChecksum(chunk.data())) << "chunk " << chunks;
      data += chunk.data();
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_GE(chunks, 4u);
    EXPECT_EQ(ends, 1u);
    std::string want;
    for (size_t i = 0; i + 1 < lines.size(); ++i) want += lines[i] + "\n";  // all but the footer
    ASSERT_TRUE(lines.back().starts_with("[\"footer\""));
    EXPECT_EQ(data, want);
    EXPECT_EQ(end_lines, lines.size() - 1);

    metasrv::ExportRequest without_data;
    without_data.set_client_footer(true);
    grpc::ClientContext ctx2;
    auto refused = m.stub().Export(&ctx2, without_data);
    while (refused->Read(&chunk)) {
    }
    EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  fs::remove_all(root);
}
