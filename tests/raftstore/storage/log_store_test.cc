// RaftLogStore::Persist, the raft thread's one write per Ready: which writes are synced; and
// Term() of recent entries.
// Entries and a changed vote are (nothing may be acknowledged before they are durable); a
// Ready whose only change is the commit index is written without a sync (log_store.h).
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

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

// Term() answers from the terms of recent writes: each answer must be what the log on disk
// says (a store opened afresh reads every term from RocksDB), through appends across terms, a
// conflicting append that replaces a suffix, a purge, and a reset to a snapshot.
TEST_F(LogStoreTest, TermOfRecentEntriesIsTheTermOnDisk) {
  auto check = [&](const char* step) {
    auto fresh = RaftLogStore::Open(dir_.get());
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    ASSERT_EQ(*(*fresh)->FirstIndex(), *store_->FirstIndex()) << step;
    ASSERT_EQ(*(*fresh)->LastIndex(), *store_->LastIndex()) << step;
    for (uint64_t i = *store_->FirstIndex() - 1; i <= *store_->LastIndex(); ++i) {
      auto want = (*fresh)->Term(i);
      auto got = store_->Term(i);
      ASSERT_TRUE(want.ok() && got.ok()) << step << " index " << i;
      EXPECT_EQ(*got, *want) << step << " index " << i;
    }
    EXPECT_FALSE(store_->Term(*store_->LastIndex() + 1).ok()) << step;
  };
  std::vector<raft::Entry> batch;
  for (uint64_t i = 1; i <= 10; ++i) batch.push_back(Blank(i <= 5 ? 1 : 2, i));
  ASSERT_TRUE(store_->Persist(batch, raft::HardState{2, 1, 0}, true).ok());
  check("appended 1..10 in terms 1 and 2");
  // A new leader's entries replace 7..10 with 7..8 of term 3.
  ASSERT_TRUE(store_->Persist({Blank(3, 7), Blank(3, 8)}, raft::HardState{3, 2, 0}, true).ok());
  check("replaced 7..10 with 7..8 of term 3");
  // A replacement reaching below everything written since Open (a store reopened: nothing cached).
  auto reopened = RaftLogStore::Open(dir_.get());
  ASSERT_TRUE(reopened.ok());
  store_ = std::move(reopened).value();
  ASSERT_TRUE(store_->Persist({Blank(4, 9)}, raft::HardState{4, 2, 0}, true).ok());
  check("appended 9 after reopening");
  ASSERT_TRUE(store_->Persist({Blank(5, 3), Blank(5, 4)}, raft::HardState{5, 2, 0}, true).ok());
  check("replaced 3..9 with 3..4 of term 5");
  ASSERT_TRUE(store_->Compact(3).ok());
  check("purged up to 3");
  EXPECT_EQ(*store_->Term(3), 5u);  // the purged entry's term stays known
  EXPECT_FALSE(store_->Term(2).ok());
  store_->ResetToSnapshot(LogId{LeaderId{7, 1}, 100});
  EXPECT_EQ(*store_->Term(100), 7u);
  EXPECT_FALSE(store_->Term(4).ok());
  ASSERT_TRUE(store_->Persist({Blank(7, 101)}, raft::HardState{7, 1, 100}, true).ok());
  EXPECT_EQ(*store_->Term(101), 7u);
}

}  // namespace
}  // namespace raftstore
