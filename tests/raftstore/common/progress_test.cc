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

// Not enabled (--progress=never, or auto off a terminal): nothing is written, not even at Stop.
TEST(Progress, SilentWhenNotEnabled) {
  testing::internal::CaptureStderr();
  {
    Progress::Options o;
    o.enabled = false;
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
    Progress p(false, "backup", 100, 1);
    p.AddBytes(100);
    p.AddFile();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// Enabled with stderr not a terminal (--progress=always on a pipe): plain lines, each ended;
// Stop draws the final state.
TEST(Progress, PlainLinesOffATerminal) {
  testing::internal::CaptureStderr();
  {
    Progress p({.enabled = true, .verb = "import", .unit = Progress::Unit::kRecords, .total = 4});
    p.Add(4);
    p.Stop();
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find('\033'), std::string::npos) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(err.back(), '\n');
  EXPECT_NE(err.find("import 4 / 4 records (100%), "), std::string::npos) << err;
}

// A ProgressBatch tells its counts in batches and the rest when it goes: the last line has them
// all (1500 is one batch of 1024 and 476 left over).
TEST(ProgressBatch, TheLastLineHasEveryCount) {
  testing::internal::CaptureStderr();
  {
    Progress p({.enabled = true, .verb = "export", .unit = Progress::Unit::kRecords, .total = 1500});
    {
      ProgressBatch counted(p);
      for (int i = 0; i < 1500; ++i) counted.Add(1);
    }
    p.Stop();
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("export 1500 / 1500 records (100%), "), std::string::npos) << err;
}

TEST(Progress, LineWithTotal) {
  Progress::Options o{.verb = "import", .unit = Progress::Unit::kBytes, .total = 4ULL << 20};
  EXPECT_EQ(Progress::Line(o, 1ULL << 20, 0, 2.0), "import 1.0 MiB / 4.0 MiB (25%), 512.0 KiB/s, ETA 0:06");
}

TEST(Progress, LineWithFiles) {
  Progress::Options o{.verb = "backup", .unit = Progress::Unit::kBytes, .total = 100, .total_files = 4};
  EXPECT_EQ(Progress::Line(o, 50, 2, 1.0), "backup 50 B / 100 B (50%), 2 / 4 files, 50 B/s, ETA 0:01");
}

// An estimated total is said to be one, and the percentage stays below 100 when passed.
TEST(Progress, LineWithEstimate) {
  Progress::Options o{.verb = "export", .unit = Progress::Unit::kRecords, .total = 1000, .total_is_estimate = true};
  EXPECT_EQ(Progress::Line(o, 250, 0, 1.0),
            "export 250 / ~1000 records (25%, total estimated), 250 records/s, ETA 0:03");
  EXPECT_EQ(Progress::Line(o, 1200, 0, 1.0),
            "export 1200 / ~1000 records (99%, total estimated), 1200 records/s, ETA ?");
}

// No total (a live export, an import from stdin): done and rate, no % or ETA.
TEST(Progress, LineWithoutTotal) {
  Progress::Options o{.verb = "export", .unit = Progress::Unit::kRecords};
  EXPECT_EQ(Progress::Line(o, 300, 0, 2.0), "export 300 records, 150 records/s");
}

}  // namespace
}  // namespace raftstore
