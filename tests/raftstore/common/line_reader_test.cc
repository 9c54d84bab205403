// LineReader: lines in order with and without a final '\n', lines spanning read blocks, empty
// lines, the line-length limit at its exact edge, and a read error.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/common/line_reader.h"

using raftstore::LineReader;

namespace {

struct Lines {
  std::vector<std::string> lines;
  std::vector<bool> terminated;
  LineReader::Outcome end;
};

Lines ReadAll(const std::string& text, uint64_t max, size_t block) {
  std::istringstream in(text);
  LineReader reader(in, max, block);
  Lines got;
  std::string_view line;
  bool terminated = true;
  for (;;) {
    got.end = reader.Next(&line, &terminated);
    if (got.end != LineReader::Outcome::kLine) break;
    got.lines.emplace_back(line);
    got.terminated.push_back(terminated);
  }
  EXPECT_EQ(got.end == LineReader::Outcome::kEnd ? reader.bytes_read() : text.size(), text.size());
  return got;
}

}  // namespace

TEST(LineReader, SplitsLinesWhateverTheBlockSize) {
  const std::string text = "first\n\nthird line\nx\nlast";
  for (size_t block : {1, 2, 3, 5, 7, 64, 1 << 20}) {
    Lines got = ReadAll(text, 1000, block);
    EXPECT_EQ(got.end, LineReader::Outcome::kEnd) << "block " << block;
    EXPECT_EQ(got.lines, (std::vector<std::string>{"first", "", "third line", "x", "last"})) << "block " << block;
    EXPECT_EQ(got.terminated, (std::vector<bool>{true, true, true, true, false})) << "block " << block;
  }
}

TEST(LineReader, AFinalNewlineMakesNoEmptyLine) {
  for (size_t block : {1, 4, 1 << 20}) {
    Lines got = ReadAll("a\nb\n", 10, block);
    EXPECT_EQ(got.lines, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(got.terminated, (std::vector<bool>{true, true}));
    EXPECT_TRUE(ReadAll("", 10, block).lines.empty());
  }
}

TEST(LineReader, RefusesALineOverTheLimitAndOnlyThatLine) {
  for (size_t block : {1, 3, 8, 1 << 20}) {
    // Exactly at the limit: taken, terminated or not.
    Lines at = ReadAll("12345\nabcde", 5, block);
    EXPECT_EQ(at.end, LineReader::Outcome::kEnd) << "block " << block;
    EXPECT_EQ(at.lines, (std::vector<std::string>{"12345", "abcde"})) << "block " << block;
    // One byte over, in the middle and as the unterminated last line.
    Lines over = ReadAll("ok\n123456\nnever", 5, block);
    EXPECT_EQ(over.end, LineReader::Outcome::kLineTooLong) << "block " << block;
    EXPECT_EQ(over.lines, (std::vector<std::string>{"ok"})) << "block " << block;
    EXPECT_EQ(ReadAll("ok\n123456", 5, block).end, LineReader::Outcome::kLineTooLong) << "block " << block;
  }
}

TEST(LineReader, ALineTooLongIsRefusedBeforeTheRestOfItIsRead) {
  // 10 MB without a newline, limit 1 KiB, blocks of 4 KiB: refused after the first block.
  std::istringstream in(std::string(10'000'000, 'x'));
  LineReader reader(in, 1024, 4096);
  std::string_view line;
  bool terminated = true;
  EXPECT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kLineTooLong);
  EXPECT_EQ(reader.bytes_read(), 4096u);
}

namespace {
// A stream buffer that gives a few bytes, then fails like a broken disk.
class FailingBuf : public std::streambuf {
 protected:
  int_type underflow() override {
    if (served_) throw std::ios_base::failure("disk on fire");
    served_ = true;
    setg(data_, data_, data_ + 3);
    return traits_type::to_int_type(data_[0]);
  }
 private:
  char data_[4] = "a\nb";
  bool served_ = false;
};
}  // namespace

TEST(LineReader, AReadErrorIsReportedNotTakenForTheEnd) {
  FailingBuf buf;
  std::istream in(&buf);
  LineReader reader(in, 100, 2);
  std::string_view line;
  bool terminated = true;
  ASSERT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kLine);
  EXPECT_EQ(line, "a");
  EXPECT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kReadError);
}

namespace {
// A pipe whose writer has sent "x\ny" and then pauses: asking it for more fails the test (a
// real pipe would block there).
class PausedPipeBuf : public std::streambuf {
 protected:
  int_type underflow() override {
    if (served_) {
      ADD_FAILURE() << "the reader waited for more than the pipe had";
      return traits_type::eof();
    }
    served_ = true;
    setg(data_, data_, data_ + 3);
    return traits_type::to_int_type(data_[0]);
  }
 private:
  char data_[4] = "x\ny";
  bool served_ = false;
};
}  // namespace

TEST(LineReader, HandsOutTheLinesAPipeHasWithoutWaitingForAWholeBlock) {
  PausedPipeBuf buf;
  std::istream in(&buf);
  LineReader reader(in, 100, 1 << 20);  // a block far larger than what the pipe holds
  std::string_view line;
  bool terminated = false;
  ASSERT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kLine);
  EXPECT_EQ(line, "x");
  EXPECT_TRUE(terminated);
}

// A line gathered across blocks can be moved out (import hands a long line to its hashing
// thread without a copy); a line inside one block cannot, and the reader goes on either way.
TEST(LineReader, TakeLineMovesOutOnlyALineThatSpannedBlocks) {
  const std::string long_line(100, 'x');
  std::istringstream in("ab\n" + long_line + "\ncd\n");
  LineReader reader(in, 1000, 16);
  std::string_view line;
  bool terminated = false;
  LineReader::TakenLine taken;
  ASSERT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kLine);
  EXPECT_EQ(line, "ab");
  EXPECT_FALSE(reader.TakeLine(&taken));
  ASSERT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kLine);
  ASSERT_TRUE(reader.TakeLine(&taken));
  EXPECT_EQ(taken.view(), long_line);
  ASSERT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kLine);
  EXPECT_EQ(line, "cd");
  EXPECT_EQ(taken.view(), long_line);  // still its own after the reader moved on
  EXPECT_EQ(reader.Next(&line, &terminated), LineReader::Outcome::kEnd);
}
