// metactl/live_export.cc (export from a running metasrv) against an in-process fake metasrv.
#include <gtest/gtest.h>

#include <sstream>

#include "raftstore/client/meta_client.h"
#include "raftstore/export_format/chunk_lines.h"
#include "raftstore/transfer/live_export.h"
#include "tests/raftstore/client/fake_metasrv.h"

namespace {

using namespace fake_metasrv;
using raftstore::client::MetaClient;


// Whether the server sends the footer (one older than ExportRequest.client_footer) or leaves it
// to metactl, the file is the same: the lines, then their footer.
TEST(ExportLiveTest, WritesLinesAndTheirFooter) {
  FakeServer s(1);
  const auto lines = SampleLines();
  auto with_footer = lines;
  with_footer.push_back(FooterLine(lines));
  for (bool client_footer : {false, true}) {
    s.service().knows_client_footer = client_footer;
    s.service().export_lines = client_footer ? lines : with_footer;
    for (uint32_t chunk : {0u, 1u, 2u, 1000u}) {
      std::ostringstream out;
      auto r = raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 5, chunk);
      ASSERT_TRUE(r.ok()) << r.status().message();
      EXPECT_EQ(out.str(), Joined(with_footer)) << "client_footer " << client_footer << ", chunk " << chunk;
      EXPECT_EQ(r->records, lines.size());
      EXPECT_EQ(r->bytes, out.str().size());
    }
    // --no-footer: verified, not written.
    std::ostringstream out;
    raftstore::transfer::ExportOptions no_footer;
    no_footer.footer = false;
    auto r = raftstore::transfer::ExportLive({s.addr()}, out, no_footer, 5, 2);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(out.str(), Joined(lines)) << "client_footer " << client_footer;
  }
}

TEST(ExportLiveTest, RefusesWrongFooter) {
  FakeServer s(1);
  auto lines = SampleLines();
  auto other = lines;
  other[3] = R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":{},"data":[57]}}}])";
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(other));  // same count, different checksum
  std::ostringstream out;
  auto r = raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 5, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kCorruption);
  EXPECT_TRUE(StartsWith(r.status().message(), "export from metasrv at " + s.addr() + ": line 6: footer checksum"))
      << r.status().message();

  // Wrong record count.
  auto fewer = lines;
  fewer.pop_back();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(fewer));
  r = raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("footer says 4 records but 5 precede it"), std::string::npos)
      << r.status().message();
}

TEST(ExportLiveTest, RefusesMissingFooterAndLinesAfterIt) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  std::ostringstream out;
  auto r = raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 5, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ended after 5 lines without the integrity footer"),
            std::string::npos)
      << r.status().message();

  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  s.service().export_lines.push_back(lines[3]);
  r = raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 7: a line after the integrity footer"),
            std::string::npos)
      << r.status().message();
}

// What the chunk checksums and the end marker are for: a chunk changed in transit, a stream
// cut before its end, and a count that does not match are refused, naming what happened.
TEST(ExportLiveTest, RefusesACorruptedOrCutStreamWithoutAFooter) {
  FakeServer s(1);
  auto& svc = s.service();
  svc.knows_client_footer = true;
  svc.export_lines = SampleLines();
  auto run = [&] {
    std::ostringstream out;
    return raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 5, 2);
  };
  svc.corrupt_second_chunk = true;
  auto r = run();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kCorruption);
  EXPECT_NE(r.status().message().find("chunk 2 ("), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("corrupted in transit"), std::string::npos) << r.status().message();

  svc.corrupt_second_chunk = false;
  svc.omit_end = true;
  r = run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ended without its end marker: it was cut short"), std::string::npos)
      << r.status().message();

  svc.omit_end = false;
  svc.end_lines_offset = 1;
  r = run();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("says it sent 6 lines but 5 arrived"), std::string::npos)
      << r.status().message();
}

TEST(ExportLiveTest, StreamTimeoutIsPerChunkAndIgnoresSlowConsumer) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  s.service().export_delay = 3s;
  std::ostringstream out;
  auto r = raftstore::transfer::ExportLive({s.addr()}, out, raftstore::transfer::ExportOptions{}, 1, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "export from metasrv at " + s.addr() +
                                      ": timed out after 1s waiting for " + s.addr() +
                                      " (RPC Export)");
  // Time spent by the consumer on a chunk does not count against --timeout.
  s.service().export_delay = 0ms;
  auto c = MetaClient::Connect({s.addr()}, 1s);
  ASSERT_TRUE(c.ok());
  size_t n = 0;
  metasrv::ExportRequest req;
  req.set_chunk_size(2);
  auto st = (*c)->ExportChunks(req, [&](std::string& chunk, std::optional<uint64_t>) {
    return raftstore::ForEachLine(chunk, [&](std::string_view, size_t) {
      if (n++ == 0) std::this_thread::sleep_for(1500ms);
      return raftstore::Status::OK();
    });
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(n, lines.size() + 1);
}

// The fake is a server older than the prefix filters: it ignores the request's prefixes and
// sends everything, without marking its chunks filtered. The export is refused, not passed off
// as a filtered one.
TEST(ExportLiveTest, RefusesServerThatDoesNotFilter) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  raftstore::transfer::ExportOptions filtered;
  auto f = raftstore::KeyFilter::Make({"a/"}, {});
  ASSERT_TRUE(f.ok());
  filtered.filter = *f;
  std::ostringstream out;
  auto r = raftstore::transfer::ExportLive({s.addr()}, out, filtered, 5, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kAborted);
  EXPECT_NE(r.status().message().find("does not filter its Export by key prefix"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(out.str(), "");
}

TEST(ExportLiveTest, NoServer) {
  std::string a = ClosedAddr();
  std::ostringstream out;
  auto r = raftstore::transfer::ExportLive({a}, out, raftstore::transfer::ExportOptions{}, 5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "no metasrv answers at " + a)) << r.status().message();
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
