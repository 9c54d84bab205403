// raftstore/node/watch_hub: resuming a watch from the hub's history of recent changes.
#include <gtest/gtest.h>

#include "raftstore/node/watch_hub.h"

namespace {

using raftstore::KvChange;
using raftstore::SeqV;
using raftstore::node::KeyRange;
using raftstore::node::WatchHub;

KvChange Change(const std::string& key, uint64_t seq, size_t value_bytes = 1) {
  SeqV v;
  v.seq = seq;
  v.data = std::string(value_bytes, 'x');
  return KvChange{key, std::nullopt, v};
}

// Pops every queued event as "key@index".
std::vector<std::string> Drain(raftstore::node::Watcher& w) {
  std::vector<std::string> out;
  bool overflowed = false;
  while (auto e = w.Pop(std::chrono::milliseconds(0), &overflowed)) out.push_back(e->key + "@" + std::to_string(e->log_index));
  return out;
}

TEST(WatchHub, ResumeSendsKeptChangesAfterTheIndexThenLiveOnes) {
  WatchHub hub;
  hub.ResetHistory(10);  // opened at applied index 10
  hub.Publish({Change("a/1", 1), Change("b/1", 2)}, 11);
  hub.Publish({Change("a/2", 3), Change("a/3", 4)}, 12);
  auto w = hub.Resume(KeyRange::Prefix("a/"), 11);
  ASSERT_TRUE(w.ok()) << w.status().message();
  hub.Publish({Change("a/4", 5)}, 13);
  EXPECT_EQ(Drain(**w), (std::vector<std::string>{"a/2@12", "a/3@12", "a/4@13"}));
  // From the floor itself: everything kept.
  auto all = hub.Resume(KeyRange::Prefix(""), 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Drain(**all).size(), 5u);
  // Before the floor: refused, naming both indexes.
  auto old = hub.Resume(KeyRange::Prefix(""), 9);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), raftstore::Status::Code::kAborted);
  EXPECT_NE(old.status().message().find("after log index 9 (it holds those after 10)"), std::string::npos)
      << old.status().message();
}

TEST(WatchHub, DroppedChangesRaiseTheFloorAndASnapshotResetsIt) {
  WatchHub hub(/*history_bytes=*/1000);
  hub.ResetHistory(0);
  for (uint64_t i = 1; i <= 10; ++i) hub.Publish({Change("k", i, 200)}, i);  // ~264 bytes each: 3 kept
  EXPECT_FALSE(hub.Resume(KeyRange::Prefix(""), 6).ok());
  auto w = hub.Resume(KeyRange::Prefix(""), 7);
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(Drain(**w), (std::vector<std::string>{"k@8", "k@9", "k@10"}));
  hub.MissAll(50);  // a snapshot at 50 was installed
  bool overflowed = false;
  (*w)->Pop(std::chrono::milliseconds(0), &overflowed);
  EXPECT_TRUE(overflowed) << "a watcher of the replaced state machine ends";
  EXPECT_FALSE(hub.Resume(KeyRange::Prefix(""), 10).ok());
  EXPECT_TRUE(hub.Resume(KeyRange::Prefix(""), 50).ok());
}

}  // namespace
