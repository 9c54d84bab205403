// SIGINT during verify --read-data (raftstore/common/interrupt.h): the re-hashing stops at the
// next block and RunVerify returns the interruption, not a report that looks complete.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "raftstore/backup/manifest.h"
#include "raftstore/backup/verify.h"
#include "raftstore/common/interrupt.h"
#include "test_util.h"

namespace backup_test {
namespace {

// The local store, raising SIGINT against this process at the second block read and returning
// only once the signal thread has set the flag (so the test does not depend on timing).
class SignallingStore : public ObjectStore {
 public:
  explicit SignallingStore(ObjectStore* inner) : inner_(inner) {}
  std::string Describe() const override { return inner_->Describe(); }
  raftstore::Status Put(const std::string& key, std::string_view data, const PutOptions& o) override {
    return inner_->Put(key, data, o);
  }
  raftstore::Result<std::string> Get(const std::string& key) override {
    if (key.rfind(kDataDir, 0) == 0 && ++block_gets == 2) {
      ::kill(::getpid(), SIGINT);
      // Bounded: the signal thread sets the flag at once; 10 s is a generous limit.
      for (int i = 0; i < 1000 && !raftstore::Interrupted(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return inner_->Get(key);
  }
  raftstore::Result<std::optional<uint64_t>> Head(const std::string& key) override { return inner_->Head(key); }
  raftstore::Result<std::vector<ObjectInfo>> List(const std::string& prefix) override { return inner_->List(prefix); }
  raftstore::Status Delete(const std::string& key) override { return inner_->Delete(key); }

  std::atomic<int> block_gets{0};

 private:
  ObjectStore* inner_;
};

TEST_F(BackupTest, VerifyReadDataStopsAtSigint) {
  Backup();
  raftstore::InstallInterruptHandler();
  SignallingStore store(store_.get());
  auto r = [&] {
    raftstore::InterruptScope scope;
    VerifyOptions o;
    o.read_percent = 100;
    o.workers = 1;
    return RunVerify(store, o);
  }();
  ASSERT_TRUE(raftstore::Interrupted());
  raftstore::ClearInterruptForTest();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kAborted);
  EXPECT_EQ(r.status().message(), "interrupted by SIGINT");
  EXPECT_EQ(store.block_gets.load(), 2) << "blocks read after the signal";
}

}  // namespace
}  // namespace backup_test
