// Unit tests of raftstore/raft/unstable.{h,cc}: the not-yet-persisted tail of the log.
// Expected values are worked out from the header's contract: entries_ are contiguous from
// offset_, and a snapshot set by Restore sits just below offset_.
#include "raftstore/raft/unstable.h"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "tests/raftstore/raft/fatal_guard.h"

namespace raftstore::raft::testing {
namespace {

Entry E(uint64_t index, uint64_t term) {
  Entry e;
  e.index = index;
  e.term = term;
  return e;
}

SnapshotMeta Snap(uint64_t index, uint64_t term) {
  SnapshotMeta s;
  s.index = index;
  s.term = term;
  return s;
}

// (index, term) pairs of the unstable entries, for readable comparisons.
using Pairs = std::vector<std::pair<uint64_t, uint64_t>>;
Pairs Ids(const Unstable& u) {
  Pairs out;
  for (const auto& e : u.entries()) out.emplace_back(e.index, e.term);
  return out;
}

TEST(Unstable, EmptyKnowsNothing) {
  Unstable u(5);
  EXPECT_EQ(u.MaybeFirstIndex(), std::nullopt);
  EXPECT_EQ(u.MaybeLastIndex(), std::nullopt);
  EXPECT_EQ(u.MaybeTerm(4), std::nullopt);
  EXPECT_EQ(u.MaybeTerm(5), std::nullopt);
  EXPECT_EQ(u.offset(), 5u);
}

TEST(Unstable, EntriesOnlyGiveLastIndexAndTermsButNoFirstIndex) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 2)});
  // The first index is storage's business unless a snapshot is pending.
  EXPECT_EQ(u.MaybeFirstIndex(), std::nullopt);
  EXPECT_EQ(u.MaybeLastIndex(), std::optional<uint64_t>(6));
  EXPECT_EQ(u.MaybeTerm(4), std::nullopt);  // below offset, no snapshot
  EXPECT_EQ(u.MaybeTerm(5), std::optional<uint64_t>(1));
  EXPECT_EQ(u.MaybeTerm(6), std::optional<uint64_t>(2));
  EXPECT_EQ(u.MaybeTerm(7), std::nullopt);
}

TEST(Unstable, SnapshotOnlyGivesFirstLastAndItsOwnTerm) {
  Unstable u(1);
  u.Restore(Snap(4, 3));
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(u.MaybeFirstIndex(), std::optional<uint64_t>(5));
  EXPECT_EQ(u.MaybeLastIndex(), std::optional<uint64_t>(4));
  EXPECT_EQ(u.MaybeTerm(4), std::optional<uint64_t>(3));
  EXPECT_EQ(u.MaybeTerm(3), std::nullopt);
  EXPECT_EQ(u.MaybeTerm(5), std::nullopt);
}

TEST(Unstable, SnapshotFollowedByEntries) {
  Unstable u(1);
  u.Restore(Snap(4, 1));
  u.TruncateAndAppend({E(5, 2), E(6, 2)});
  EXPECT_EQ(u.MaybeFirstIndex(), std::optional<uint64_t>(5));
  EXPECT_EQ(u.MaybeLastIndex(), std::optional<uint64_t>(6));
  EXPECT_EQ(u.MaybeTerm(4), std::optional<uint64_t>(1));
  EXPECT_EQ(u.MaybeTerm(5), std::optional<uint64_t>(2));
  EXPECT_EQ(u.MaybeTerm(6), std::optional<uint64_t>(2));
  EXPECT_EQ(u.MaybeTerm(3), std::nullopt);
  EXPECT_EQ(u.MaybeTerm(7), std::nullopt);
}

TEST(Unstable, StableToDropsThePersistedPrefix) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 1), E(7, 2)});
  u.StableTo(6, 1);
  EXPECT_EQ(u.offset(), 7u);
  EXPECT_EQ(Ids(u), (Pairs{{7, 2}}));
  EXPECT_EQ(u.MaybeLastIndex(), std::optional<uint64_t>(7));
  u.StableTo(7, 2);
  EXPECT_EQ(u.offset(), 8u);
  EXPECT_TRUE(u.entries().empty());
  EXPECT_EQ(u.MaybeLastIndex(), std::nullopt);
}

TEST(Unstable, StableToIgnoresAMismatchedTerm) {
  // The tail was replaced (term 2 -> 3) after the runtime started persisting the term-2 entry.
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 3)});
  u.StableTo(6, 2);
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}, {6, 3}}));
}

TEST(Unstable, StableToIgnoresIndexesOutsideTheEntries) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 1)});
  u.StableTo(7, 1);  // past the end
  u.StableTo(4, 1);  // below offset (already stable)
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}, {6, 1}}));

  Unstable empty(5);
  empty.StableTo(5, 1);
  EXPECT_EQ(empty.offset(), 5u);
  EXPECT_TRUE(empty.entries().empty());
}

TEST(Unstable, StableToTheSnapshotIndexDoesNotTouchEntries) {
  // (4, 1) matches the pending snapshot's term, but 4 < offset: the entries stay unstable.
  Unstable u(1);
  u.Restore(Snap(4, 1));
  u.TruncateAndAppend({E(5, 1), E(6, 1)});
  u.StableTo(4, 1);
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}, {6, 1}}));
  ASSERT_TRUE(u.snapshot().has_value());
}

TEST(Unstable, StableToAfterSnapshotKeepsSnapshotTerm) {
  Unstable u(1);
  u.Restore(Snap(4, 1));
  u.TruncateAndAppend({E(5, 2), E(6, 2)});
  u.StableTo(5, 2);
  EXPECT_EQ(u.offset(), 6u);
  EXPECT_EQ(Ids(u), (Pairs{{6, 2}}));
  ASSERT_TRUE(u.snapshot().has_value());
  EXPECT_EQ(u.MaybeTerm(4), std::optional<uint64_t>(1));  // still the snapshot's
  EXPECT_EQ(u.MaybeTerm(5), std::nullopt);                // persisted: storage knows it
}

TEST(Unstable, StableSnapToOnlyClearsTheMatchingSnapshot) {
  Unstable u(1);
  u.Restore(Snap(4, 1));
  u.StableSnapTo(3);
  EXPECT_TRUE(u.snapshot().has_value());
  u.StableSnapTo(5);
  EXPECT_TRUE(u.snapshot().has_value());
  u.StableSnapTo(4);
  EXPECT_FALSE(u.snapshot().has_value());
  EXPECT_EQ(u.MaybeFirstIndex(), std::nullopt);
  EXPECT_EQ(u.MaybeLastIndex(), std::nullopt);
  EXPECT_EQ(u.offset(), 5u);  // offset stays just after the snapshot
}

TEST(Unstable, TruncateAndAppendDirectlyAfterTheTail) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1)});
  u.TruncateAndAppend({E(6, 1), E(7, 2)});
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}, {6, 1}, {7, 2}}));
}

TEST(Unstable, TruncateAndAppendOnEmptyAtOffset) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1)});
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}}));
}

TEST(Unstable, TruncateAndAppendReplacesEverythingFromOffset) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 1)});
  u.TruncateAndAppend({E(5, 2), E(6, 2)});
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 2}, {6, 2}}));
}

TEST(Unstable, TruncateAndAppendBeforeOffsetMovesOffsetBack) {
  // The new entries start inside the stable part: offset moves back, and when persisted they
  // replace the stored suffix from index 4.
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 1)});
  u.TruncateAndAppend({E(4, 2), E(5, 2), E(6, 2)});
  EXPECT_EQ(u.offset(), 4u);
  EXPECT_EQ(Ids(u), (Pairs{{4, 2}, {5, 2}, {6, 2}}));
  EXPECT_EQ(u.MaybeTerm(4), std::optional<uint64_t>(2));
}

TEST(Unstable, TruncateAndAppendInsideTheTailKeepsThePrefix) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 1), E(7, 1)});
  u.TruncateAndAppend({E(6, 2)});
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}, {6, 2}}));
  EXPECT_EQ(u.MaybeLastIndex(), std::optional<uint64_t>(6));

  u.TruncateAndAppend({E(6, 3), E(7, 3), E(8, 3)});
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}, {6, 3}, {7, 3}, {8, 3}}));
}

TEST(Unstable, TruncateAndAppendOfNothingChangesNothing) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1)});
  u.TruncateAndAppend({});
  EXPECT_EQ(u.offset(), 5u);
  EXPECT_EQ(Ids(u), (Pairs{{5, 1}}));
}

TEST(Unstable, RestoreDropsEntriesAndReplacesAnOlderSnapshot) {
  Unstable u(1);
  u.Restore(Snap(2, 1));
  u.TruncateAndAppend({E(3, 1), E(4, 1)});
  u.Restore(Snap(9, 3));
  EXPECT_EQ(u.offset(), 10u);
  EXPECT_TRUE(u.entries().empty());
  ASSERT_TRUE(u.snapshot().has_value());
  EXPECT_EQ(*u.snapshot(), Snap(9, 3));
  EXPECT_EQ(u.MaybeFirstIndex(), std::optional<uint64_t>(10));
  EXPECT_EQ(u.MaybeLastIndex(), std::optional<uint64_t>(9));
  EXPECT_EQ(u.MaybeTerm(9), std::optional<uint64_t>(3));
  EXPECT_EQ(u.MaybeTerm(2), std::nullopt);  // the old snapshot is gone
  EXPECT_EQ(u.MaybeTerm(4), std::nullopt);  // and so are the old entries
}

TEST(Unstable, SliceReturnsTheHalfOpenRange) {
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 2), E(7, 3)});
  auto all = u.Slice(5, 8);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].index, 5u);
  EXPECT_EQ(all[2].index, 7u);
  auto mid = u.Slice(6, 7);
  ASSERT_EQ(mid.size(), 1u);
  EXPECT_EQ(mid[0].term, 2u);
  EXPECT_TRUE(u.Slice(6, 6).empty());
  EXPECT_TRUE(u.Slice(8, 8).empty());
}

TEST(Unstable, SliceOutOfBoundIsFatal) {
  FatalGuard guard;
  Unstable u(5);
  u.TruncateAndAppend({E(5, 1), E(6, 2), E(7, 3)});
  EXPECT_THROW(u.Slice(4, 6), FatalError);  // below offset
  EXPECT_THROW(u.Slice(6, 9), FatalError);  // past last+1
  EXPECT_THROW(u.Slice(7, 6), FatalError);  // lo > hi
}

}  // namespace
}  // namespace raftstore::raft::testing
