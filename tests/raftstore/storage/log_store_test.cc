// RaftLogStore::Persist, the raft thread's one write per Ready: which writes are synced.
// Entries and a changed vote are (nothing may be acknowledged before they are durable); a
// Ready whose only change is the commit index is written without a sync (log_store.h).
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "raftstore/storage/log_store.h"

namespace raftstore {
namespace {

namespace fs = std::filesystem;

raft::Entry Blank(uint64_t term, uint64_t index) {
  raft::Entry e;
  e.term = term;
  e.index = index;
  e.leader_node_id = 1;
  e.type = raft::EntryType::kBlank;
  return e;
}

class LogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/log_store_test_XXXXXX";
    root_ = mkdtemp(tmpl);
    auto d = RaftDir::Open(root_ + "/dir", RaftDirOptions{.create_if_missing = true});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    dir_ = std::move(d).value();
    auto s = RaftLogStore::Open(dir_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    dir_.reset();
    fs::remove_all(root_);
  }
  // What a store opened now on the same dir reads (the written, not the cached, state).
  raft::HardState Reread() {
    auto s = RaftLogStore::Open(dir_.get());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *(*s)->InitialState() : raft::HardState{};
  }

  std::string root_;
  std::unique_ptr<RaftDir> dir_;
  std::unique_ptr<RaftLogStore> store_;
};

TEST_F(LogStoreTest, EntriesAndVotesAreSyncedACommitIndexAloneIsNot) {
  // A batch of entries with the vote that elected its leader: one synced write.
  ASSERT_TRUE(store_->Persist({Blank(1, 1), Blank(1, 2), Blank(1, 3)}, raft::HardState{1, 1, 0}, true).ok());
  EXPECT_EQ(store_->synced_writes(), 1u);
  EXPECT_EQ(*store_->LastIndex(), 3u);

  // The commit index moving on its own: written (a reader sees it) but not synced.
  ASSERT_TRUE(store_->Persist({}, raft::HardState{1, 1, 2}, true).ok());
  EXPECT_EQ(store_->synced_writes(), 1u);
  EXPECT_EQ(Reread().commit, 2u);

  // Entries with a commit index: synced, once.
  ASSERT_TRUE(store_->Persist({Blank(1, 4)}, raft::HardState{1, 1, 3}, true).ok());
  EXPECT_EQ(store_->synced_writes(), 2u);

  // A new term (and vote) with no entries: synced, a vote is granted on it.
  ASSERT_TRUE(store_->Persist({}, raft::HardState{2, 2, 3}, false).ok());
  EXPECT_EQ(store_->synced_writes(), 3u);
  EXPECT_EQ(Reread(), (raft::HardState{2, 2, 3}));
  // The same vote now known to have won (Vote.committed): synced too.
  ASSERT_TRUE(store_->Persist({}, raft::HardState{2, 2, 4}, true).ok());
  EXPECT_EQ(store_->synced_writes(), 4u);
  EXPECT_EQ(Reread(), (raft::HardState{2, 2, 4}));

  // Nothing new: nothing written.
  ASSERT_TRUE(store_->Persist({}, std::nullopt, true).ok());
  EXPECT_EQ(store_->synced_writes(), 4u);
}

}  // namespace
}  // namespace raftstore
