// The fixture of the raft log's unit tests (raft_log_test.cc, raft_log_apply_test.cc): a
// RaftLog over a MemoryStorage, entry builders, and the header's invariants checked after
// each step.
#pragma once

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/raft/memory_storage.h"
#include "raftstore/raft/raft_log.h"
#include "tests/raftstore/raft/fatal_guard.h"

namespace raftstore::raft::testing {

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
// Every entry made by E() has no payload, so ByteSize() is the fixed overhead.
inline const uint64_t kEntryBytes = Entry{}.ByteSize();

inline Entry E(uint64_t index, uint64_t term) {
  Entry e;
  e.index = index;
  e.term = term;
  return e;
}

inline MembershipConfig Voters(std::set<uint64_t> ids) {
  MembershipConfig c;
  c.configs = {std::move(ids)};
  return c;
}

inline Entry M(uint64_t index, uint64_t term, std::set<uint64_t> voters) {
  Entry e = E(index, term);
  e.type = EntryType::kMembership;
  e.membership = Voters(std::move(voters));
  return e;
}

inline SnapshotMeta Snap(uint64_t index, uint64_t term, MembershipConfig m) {
  SnapshotMeta s;
  s.index = index;
  s.term = term;
  s.membership = std::move(m);
  return s;
}

inline std::vector<uint64_t> Indexes(const std::vector<Entry>& ents) {
  std::vector<uint64_t> out;
  for (const auto& e : ents) out.push_back(e.index);
  return out;
}

using U = std::vector<uint64_t>;

inline void ExpectInvariants(const RaftLog& log) {
  EXPECT_LE(log.FirstIndex() - 1, log.applied()) << "FirstIndex()-1 <= applied";
  EXPECT_LE(log.applied(), log.committed()) << "applied <= committed";
  EXPECT_LE(log.committed(), log.LastIndex()) << "committed <= LastIndex()";
}

class RaftLogTest : public ::testing::Test {
 protected:
  // Stores entries 1..terms.size() with the given terms and hard-state commit.
  void Store(const std::vector<uint64_t>& terms, uint64_t commit = 0) {
    std::vector<Entry> ents;
    for (size_t i = 0; i < terms.size(); ++i) ents.push_back(E(i + 1, terms[i]));
    ASSERT_TRUE(storage_.Append(ents).ok());
    HardState hs;
    hs.term = terms.empty() ? 0 : terms.back();
    hs.commit = commit;
    storage_.SetHardState(hs);
  }

  // Takes a snapshot at `index` and compacts the stored log up to it (index stays as dummy).
  void CompactTo(uint64_t index) {
    ASSERT_TRUE(storage_.CreateSnapshot(index, Voters({1, 2, 3}), "").ok());
    ASSERT_TRUE(storage_.Compact(index).ok());
  }

  RaftLog& Open(uint64_t max_apply_bytes = kNoLimit) {
    auto r = RaftLog::Create(&storage_, max_apply_bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    log_.emplace(std::move(r).value());
    return *log_;
  }

  // The runtime's side of a Ready: install the snapshot, write the entries, acknowledge.
  void Persist() {
    RaftLog& log = *log_;
    if (std::optional<SnapshotMeta> snap = log.UnstableSnapshot()) {
      ASSERT_TRUE(storage_.ApplySnapshot(*snap, "").ok());
      log.StableSnapTo(snap->index);
    }
    const std::vector<Entry> ents = log.UnstableEntries();
    if (!ents.empty()) {
      ASSERT_TRUE(storage_.Append(ents).ok());
      log.StableTo(ents.back().index, ents.back().term);
    }
  }

  // Terms of entries [FirstIndex(), LastIndex()].
  U Terms() const {
    U out;
    for (uint64_t i = log_->FirstIndex(); i <= log_->LastIndex(); ++i) {
      auto t = log_->Term(i);
      EXPECT_TRUE(t.ok()) << "term(" << i << "): " << t.status().ToString();
      out.push_back(t.ok() ? *t : 0);
    }
    return out;
  }

  MemoryStorage storage_ = MemoryStorage::Bootstrap(Voters({1, 2, 3}));
  std::optional<RaftLog> log_;
};

}  // namespace raftstore::raft::testing
