// BackgroundSink and BoundedQueue: order, back-pressure, the first error, and a destructor
// that does not wait for what is queued.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/common/background_sink.h"
#include "raftstore/common/bounded_queue.h"

using namespace raftstore;

TEST(BackgroundSink, ConsumesInOrderAndGivesBuffersBack) {
  std::vector<std::string> seen;
  BackgroundSink sink(2, [&](std::string& b) {
    seen.push_back(b);
    return Status::OK();
  });
  for (int i = 0; i < 100; ++i) {
    std::string b = sink.Spare();
    EXPECT_TRUE(b.empty());
    b = std::to_string(i);
    ASSERT_TRUE(sink.Push(std::move(b)).ok());
  }
  ASSERT_TRUE(sink.Finish().ok());
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], std::to_string(i));
}

TEST(BackgroundSink, PushWaitsWhileTheConsumerIsBehind) {
  std::atomic<int> consumed{0};
  std::atomic<bool> release{false};
  BackgroundSink sink(2, [&](std::string&) {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++consumed;
    return Status::OK();
  });
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(sink.Push("x").ok());
      ++pushed;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(pushed.load(), 3);  // one being consumed, two queued; the fourth waits
  release = true;
  producer.join();
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(consumed.load(), 6);
}

TEST(BackgroundSink, TheFirstErrorStopsItAndIsReturned) {
  int calls = 0;
  BackgroundSink sink(1, [&](std::string&) { return ++calls == 2 ? Status::IOError("broken") : Status::OK(); });
  Status st;
  for (int i = 0; i < 100 && st.ok(); ++i) st = sink.Push("x");
  if (st.ok()) st = sink.Finish();
  EXPECT_EQ(st.message(), "broken");
  EXPECT_EQ(calls, 2);
}

TEST(BackgroundSink, DestroyedWithoutFinishDropsWhatWaits) {
  std::atomic<int> calls{0};
  {
    BackgroundSink sink(8, [&](std::string&) {
      ++calls;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      return Status::OK();
    });
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(sink.Push("x").ok());
  }
  EXPECT_LT(calls.load(), 8);
}

TEST(BoundedQueue, ClosedQueueHandsOutWhatItHoldsThenNothing) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.Push(1));
  EXPECT_TRUE(q.TryPush(2));
  int three = 3;
  EXPECT_FALSE(q.TryPush(std::move(three)));  // full
  q.Close();
  EXPECT_FALSE(q.Push(4));
  int v = 0;
  EXPECT_TRUE(q.Pop(&v));
  EXPECT_EQ(v, 1);
  EXPECT_TRUE(q.TryPop(&v));
  EXPECT_EQ(v, 2);
  EXPECT_FALSE(q.Pop(&v));
}
