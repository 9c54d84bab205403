#include "raftstore/common/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace {

size_t Len(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  return raftstore::Utf8SequenceLength(p, p + s.size());
}

TEST(Utf8, WellFormedSequencesAtEachLengthsBounds) {
  EXPECT_EQ(Len("a"), 1u);
  EXPECT_EQ(Len(std::string(1, '\0')), 1u);  // ASCII, controls included: escaping is the caller's
  EXPECT_EQ(Len("\xC2\x80"), 2u);            // U+0080
  EXPECT_EQ(Len("\xDF\xBF"), 2u);            // U+07FF
  EXPECT_EQ(Len("\xE0\xA0\x80"), 3u);        // U+0800
  EXPECT_EQ(Len("\xED\x9F\xBF"), 3u);        // U+D7FF, below the surrogates
  EXPECT_EQ(Len("\xEE\x80\x80"), 3u);        // U+E000, above them
  EXPECT_EQ(Len("\xEF\xBF\xBF"), 3u);        // U+FFFF
  EXPECT_EQ(Len("\xF0\x90\x80\x80"), 4u);    // U+10000
  EXPECT_EQ(Len("\xF4\x8F\xBF\xBF"), 4u);    // U+10FFFF
  EXPECT_EQ(Len("\xC3\xA9xyz"), 2u);         // only the first sequence counts
}

TEST(Utf8, IllFormedSequencesAreZero) {
  EXPECT_EQ(Len("\x80"), 0u);                // a continuation byte first
  EXPECT_EQ(Len("\xC0\x80"), 0u);            // overlong U+0000
  EXPECT_EQ(Len("\xC1\xBF"), 0u);            // overlong U+007F
  EXPECT_EQ(Len("\xE0\x9F\xBF"), 0u);        // overlong U+07FF
  EXPECT_EQ(Len("\xF0\x8F\xBF\xBF"), 0u);    // overlong U+FFFF
  EXPECT_EQ(Len("\xED\xA0\x80"), 0u);        // U+D800, a surrogate
  EXPECT_EQ(Len("\xED\xBF\xBF"), 0u);        // U+DFFF
  EXPECT_EQ(Len("\xF4\x90\x80\x80"), 0u);    // U+110000
  EXPECT_EQ(Len("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(Len("\xFF"), 0u);
  EXPECT_EQ(Len("\xC3"), 0u);                // truncated at the end of the input
  EXPECT_EQ(Len("\xE2\x82"), 0u);
  EXPECT_EQ(Len("\xF0\x9F\x98"), 0u);
  EXPECT_EQ(Len("\xC3("), 0u);               // a non-continuation second byte
  EXPECT_EQ(Len("\xE2(\xA1"), 0u);
}

}  // namespace
