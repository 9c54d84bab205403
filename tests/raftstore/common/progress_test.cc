#include "raftstore/common/progress.h"

#include <gtest/gtest.h>

namespace raftstore {
namespace {

TEST(HumanBytes, Units) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(1023), "1023 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(8ULL << 20), "8.0 MiB");
  EXPECT_EQ(HumanBytes(3ULL << 30), "3.0 GiB");
}

// Under ctest stderr is not a terminal: even when asked for, nothing is written (logs and pipes
// never see the progress line or the summary).
TEST(Progress, SilentWhenStderrIsNotATerminal) {
  testing::internal::CaptureStderr();
  {
    Progress::Options o;
    o.enabled = true;
    o.verb = "export";
    o.unit = Progress::Unit::kRecords;
    o.total = 10;
    o.summary = true;
    Progress p(o);
    p.Add(10);
    p.Stop();
    p.Stop();  // idempotent
  }
  {
    Progress p(true, "backup", 100, 1);
    p.AddBytes(100);
    p.AddFile();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace raftstore
