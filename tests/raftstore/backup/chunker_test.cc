// Content-defined chunking (chunker.h): sizes stay in bounds, cut points follow the content, so
// bytes inserted in the middle of a file leave the blocks before and after it as they were.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/backup/chunker.h"
#include "tests/raftstore/backup/test_util.h"

namespace {

using namespace raftstore::backup;
using backup_test::RandomBytes;

// The blocks `data` is cut into, as FeedFile cuts a file: each Cut sees up to max bytes.
std::vector<std::string> Blocks(const Chunker& c, const std::string& data) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t len = c.Cut(reinterpret_cast<const unsigned char*>(data.data()) + pos,
                       data.size() - pos);
    out.push_back(data.substr(pos, len));
    pos += len;
  }
  return out;
}

TEST(Chunker, SizesAreAPowerOfTwoWithBoundsAround) {
  auto s = ChunkSizesForAverage(1 << 20);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->min, 256u << 10);
  EXPECT_EQ(s->max, 4u << 20);
  for (uint64_t bad : {uint64_t{1000}, uint64_t{3} << 20, uint64_t{2048}, uint64_t{1} << 30}) {
    auto r = ChunkSizesForAverage(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--block-size " + std::to_string(bad)), std::string::npos);
  }
}

TEST(Chunker, BlocksStayWithinBoundsAndAverageNearTheTarget) {
  const Chunker c(*ChunkSizesForAverage(16 << 10));
  const std::string data = RandomBytes(8 << 20, 1);
  auto blocks = Blocks(c, data);
  std::string joined;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i + 1 < blocks.size()) {
      EXPECT_GE(blocks[i].size(), c.sizes().min);
    }
    EXPECT_LE(blocks[i].size(), c.sizes().max);
    joined += blocks[i];
  }
  EXPECT_EQ(joined, data);
  const double avg = static_cast<double>(data.size()) / static_cast<double>(blocks.size());
  EXPECT_GT(avg, 0.5 * (16 << 10));
  EXPECT_LT(avg, 2.0 * (16 << 10));
  // Constant input has no content to cut at: every block is a max-size one.
  auto zeros = Blocks(c, std::string(1 << 20, '\0'));
  EXPECT_EQ(zeros.size(), (1u << 20) / c.sizes().max);
}

TEST(Chunker, AnInsertionChangesOnlyTheBlocksAroundIt) {
  const Chunker c(*ChunkSizesForAverage(16 << 10));
  const std::string before = RandomBytes(4 << 20, 2);
  std::string after = before;
  after.insert(before.size() / 2, RandomBytes(1000, 3));
  auto a = Blocks(c, before), b = Blocks(c, after);
  std::set<std::string> old(a.begin(), a.end());
  size_t fresh = 0;
  for (const auto& x : b) fresh += old.count(x) ? 0 : 1;
  // With fixed-size blocks every block after the insertion would be new (~128 of ~256).
  EXPECT_LE(fresh, 3u) << "of " << b.size() << " blocks";
  EXPECT_GE(fresh, 1u);
  // The same content is cut the same way every time.
  EXPECT_EQ(Blocks(c, before), a);
}

}  // namespace
