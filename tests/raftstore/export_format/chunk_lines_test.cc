// ForEachLine (chunk_lines.h): how every reader of an Export chunk splits it into lines.
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/chunk_lines.h"

using raftstore::ForEachLine;
using raftstore::Status;

namespace {

std::vector<std::pair<std::string, size_t>> Split(std::string_view chunk, Status* st) {
  std::vector<std::pair<std::string, size_t>> got;
  *st = ForEachLine(chunk, [&](std::string_view line, size_t at) {
    got.emplace_back(std::string(line), at);
    return Status::OK();
  });
  return got;
}

}  // namespace

TEST(ChunkLines, GivesEachLineWithoutItsNewlineAndWhereItStarts) {
  Status st;
  auto got = Split("a\n\nbcd\n", &st);
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::pair<std::string, size_t>> want{{"a", 0}, {"", 2}, {"bcd", 3}};
  EXPECT_EQ(got, want);
  got = Split("", &st);
  EXPECT_TRUE(st.ok());
  EXPECT_TRUE(got.empty());
}

TEST(ChunkLines, AChunkCutInsideALineIsCorruptionAfterItsWholeLines) {
  Status st;
  auto got = Split("a\nbc", &st);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_EQ(st.message(), "an export chunk ends inside a line (2 bytes without a newline): the sender is broken");
  std::vector<std::pair<std::string, size_t>> want{{"a", 0}};
  EXPECT_EQ(got, want);
}

TEST(ChunkLines, StopsAtTheFirstErrorOfTheCallback) {
  int calls = 0;
  Status st = ForEachLine("x\ny\nz\n", [&](std::string_view line, size_t) {
    ++calls;
    return line == "y" ? Status::Aborted("stop at y") : Status::OK();
  });
  EXPECT_EQ(st.message(), "stop at y");
  EXPECT_EQ(calls, 2);
}
