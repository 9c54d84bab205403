#include "raftstore/common/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace raftstore {
namespace {

TEST(ParallelFor, RunsEveryIndexOnceOnSeveralThreads) {
  const size_t n = 1000;
  std::vector<std::atomic<int>> hits(n);
  std::mutex mu;
  std::set<std::thread::id> threads;
  Status st = ParallelFor(n, 4, [&](size_t i) {
    hits[i]++;
    std::lock_guard<std::mutex> g(mu);
    threads.insert(std::this_thread::get_id());
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << i;
  EXPECT_LE(threads.size(), 4u);
}

TEST(ParallelFor, EmptyRangeAndZeroWorkers) {
  int calls = 0;
  EXPECT_TRUE(ParallelFor(0, 4, [&](size_t) { calls++; return Status::OK(); }).ok());
  EXPECT_EQ(calls, 0);
  // workers < 1 still runs everything (on one thread).
  EXPECT_TRUE(ParallelFor(5, 0, [&](size_t) { calls++; return Status::OK(); }).ok());
  EXPECT_EQ(calls, 5);
}

TEST(ParallelFor, FirstErrorWinsAndStopsTheRest) {
  std::atomic<size_t> started{0};
  Status st = ParallelFor(10000, 4, [&](size_t i) {
    started++;
    if (i == 3) return Status::IOError("item 3 failed");
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    return Status::OK();
  });
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_EQ(st.message(), "item 3 failed");
  EXPECT_LT(started.load(), 10000u);  // no item started after the failure was seen
}

TEST(ParallelFor, ReturnsTheErrorOfTheOneFailure) {
  Status st = ParallelFor(100, 3, [](size_t i) {
    return i == 42 ? Status::NotFound("item 42") : Status::OK();
  });
  EXPECT_EQ(st.code(), Status::Code::kNotFound);
  EXPECT_EQ(st.message(), "item 42");
}

TEST(WorkQueue, RunsWhatIsSubmittedWhileItRuns) {
  std::atomic<int> sum{0};
  WorkQueue q(3);
  for (int i = 1; i <= 100; ++i) {
    ASSERT_TRUE(q.Submit([&sum, i] {
      sum += i;
      return Status::OK();
    }));
  }
  EXPECT_TRUE(q.Finish().ok());
  EXPECT_EQ(sum.load(), 5050);
  EXPECT_FALSE(q.Submit([] { return Status::OK(); }));  // finished
}

TEST(WorkQueue, FirstErrorWinsLaterJobsAreDropped) {
  WorkQueue q(1);
  std::atomic<int> ran{0};
  ASSERT_TRUE(q.Submit([&] {
    ran++;
    return Status::IOError("disk full");
  }));
  // Wait until the failure is recorded; then submissions are refused.
  for (int i = 0; i < 2000 && q.error().ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(q.error().code(), Status::Code::kIOError);
  EXPECT_FALSE(q.Submit([&] {
    ran++;
    return Status::OK();
  }));
  Status st = q.Finish();
  EXPECT_EQ(st.message(), "disk full");
  EXPECT_EQ(ran.load(), 1);
}

TEST(WorkQueue, QueuedJobsAfterAFailureDoNotRun) {
  std::atomic<int> ran{0};
  std::atomic<bool> release{false};
  WorkQueue q(1);
  // The first job blocks until every other job is queued behind it, then fails.
  ASSERT_TRUE(q.Submit([&] {
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return Status::Aborted("first");
  }));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(q.Submit([&] {
      ran++;
      return Status::OK();
    }));
  }
  release = true;
  EXPECT_EQ(q.Finish().code(), Status::Code::kAborted);
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace raftstore
