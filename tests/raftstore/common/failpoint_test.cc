// Failpoints (common/failpoint.h): the spec a test writes, and what each action does at a point.
#include "raftstore/common/failpoint.h"

#include <gtest/gtest.h>

#include <chrono>

namespace raftstore::failpoint {
namespace {

class FailpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Compiled()) GTEST_SKIP() << "built without METASRV_FAILPOINTS";
  }
  void TearDown() override {
    if (Compiled()) Disarm();
  }
  static void Disarm() {
    std::string spec;
    std::string armed = Armed();
    for (size_t start = 0; start < armed.size();) {
      const size_t end = std::min(armed.find(';', start), armed.size());
      const std::string part = armed.substr(start, end - start);
      spec += part.substr(0, part.find('=')) + "=off;";
      start = end + 1;
    }
    ASSERT_TRUE(Arm(spec).ok());
    ASSERT_EQ(Armed(), "");
  }
};

TEST_F(FailpointTest, NothingArmedIsANoOp) {
  EXPECT_TRUE(Hit("persist-after-sync").ok());
  EXPECT_EQ(Armed(), "");
}

TEST_F(FailpointTest, ErrorReturnsIOErrorNamingThePointUntilDisarmed) {
  ASSERT_TRUE(Arm("apply-before=error").ok());
  for (int i = 0; i < 3; ++i) {
    Status st = Hit("apply-before");
    EXPECT_EQ(st.code(), Status::Code::kIOError);
    EXPECT_NE(st.message().find("apply-before"), std::string::npos) << st.message();
  }
  EXPECT_TRUE(Hit("apply-after").ok()) << "another point is not armed";
  ASSERT_TRUE(Arm("apply-before=off").ok());
  EXPECT_TRUE(Hit("apply-before").ok());
}

TEST_F(FailpointTest, ACountFiresThatManyTimes) {
  ASSERT_TRUE(Arm(" raft-send-to-2 = 2*error ; raft-receive-from-2=error").ok());
  EXPECT_FALSE(Hit(RaftSendTo(2)).ok());
  EXPECT_FALSE(Hit(RaftSendTo(2)).ok());
  EXPECT_TRUE(Hit(RaftSendTo(2)).ok());
  EXPECT_FALSE(Hit(RaftReceiveFrom(2)).ok());
  EXPECT_EQ(Armed(), "raft-receive-from-2=error");
}

TEST_F(FailpointTest, DelaySleeps) {
  ASSERT_TRUE(Arm("apply-after=delay(150)").ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(Hit("apply-after").ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(FailpointTest, CrashExitsWithItsCode) {
  ASSERT_TRUE(Arm("persist-after-sync=crash").ok());
  EXPECT_EXIT((void)Hit("persist-after-sync"), ::testing::ExitedWithCode(kCrashExitCode), "");
}

// With no raft dir opened in the process (no hook set), a power cut is a crash; the storage
// side is tested in tests/raftstore/storage/power_cut_env_test.cc.
TEST_F(FailpointTest, PowerCutWithoutARaftDirExitsWithTheCrashCode) {
  ASSERT_TRUE(Arm("apply-after=power-cut").ok());
  EXPECT_EQ(Armed(), "apply-after=power-cut");
  EXPECT_EXIT((void)Hit("apply-after"), ::testing::ExitedWithCode(kCrashExitCode), "");
}

TEST_F(FailpointTest, ABadSpecArmsNothingAndSaysWhy) {
  for (const char* bad : {"apply-before", "=crash", "apply-before=explode", "apply-before=delay(x)",
                          "apply-before=0*crash", "apply-before=delay(5"}) {
    Status st = Arm(std::string("apply-after=error;") + bad);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("NAME=crash|power-cut|delay(MS)|error|off"), std::string::npos) << st.message();
    EXPECT_EQ(Armed(), "") << "nothing of a spec that does not parse is armed: " << bad;
  }
}

}  // namespace
}  // namespace raftstore::failpoint
