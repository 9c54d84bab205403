// The snapshot store in process: staging a received snapshot, installing it into a raft dir
// that has its own log and state, finishing an install that a crash cut short, refusing bad
// snapshot data, and purging the log (RaftLogStore::Compact).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "raftstore/export_format/record.h"
#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/log_store.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/storage/snapshot_store.h"
#include "raftstore/sm/state_machine.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/record_stream.h"
#include "raftstore/storage/rocks_access.h"

namespace raftstore::node {
namespace {

using storage_internal::Access;
using storage_internal::GetJson;

// True when `key` is stored in `dir`.
bool Has(const RaftDir& dir, const std::string& key) {
  auto r = storage_internal::Get(dir, key);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && r->has_value();
}

namespace fs = std::filesystem;
using Pairs = std::map<std::string, std::string>;

class SnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/snapshot_store_test_XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    source_.reset();
    target_.reset();
    fs::remove_all(root_);
  }

  static std::unique_ptr<RaftDir> OpenDir(const std::string& path) {
    auto d = RaftDir::Open(path, RaftDirOptions{.create_if_missing = true});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }

  // Applies a membership entry then `keys` upserts of `value_bytes` each, starting at `first`.
  static void Fill(RaftDir* dir, uint64_t term, uint64_t first, int keys, size_t value_bytes, const std::string& tag) {
    StateMachine sm(dir);
    uint64_t index = first;
    ASSERT_TRUE(sm.Apply(LogEntry{LogId{{term, 1}, index++}, Membership{{{1, 2, 3}}, {1, 2, 3}}}, false).ok());
    for (int i = 0; i < keys; ++i) {
      UpsertKV u{tag + "/" + std::to_string(i), MatchSeq{MatchSeq::Kind::kAny, 0},
                 Operation{Operation::Kind::kUpdate, std::string(value_bytes, static_cast<char>('a' + i % 26))},
                 std::nullopt};
      auto r = sm.Apply(LogEntry{LogId{{term, 1}, index++}, NormalPayload{1'700'000'000'000ULL, u}}, false);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
  }

  // Every state-machine pair of `dir`.
  static Pairs SnapshotPairs(const RaftDir& dir) {
    Pairs out;
    std::unique_ptr<rocksdb::Iterator> it(Access::Db(dir)->NewIterator(rocksdb::ReadOptions()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (IsSnapshotKey(it->key().ToStringView())) out[it->key().ToString()] = it->value().ToString();
    }
    return out;
  }

  // Stages `pairs` as a receiver would, checked against the digest a sender computes.
  static void Stage(const Pairs& pairs, const std::string& path) {
    auto w = SnapshotWriter::Create(path);
    EXPECT_TRUE(w.ok());
    std::string frames;
    for (const auto& [k, v] : pairs) {
      EXPECT_TRUE((*w)->Add(k, v).ok());
      AppendSnapshotFrame(&frames, k, v);
    }
    const std::string sha = Sha256::Hex(frames);
    EXPECT_TRUE((*w)->Finish(pairs.size(), sha, MetaOf(pairs)).ok());
  }

  // The snapshot metadata of `pairs` (its last_applied), as the sender puts in the message.
  static raft::SnapshotMeta MetaOf(const Pairs& pairs) {
    Json j = Json::parse(pairs.at(keys::kLastApplied));
    raft::SnapshotMeta m;
    m.index = j["index"].get<uint64_t>();
    m.term = j["leader_id"]["term"].get<uint64_t>();
    return m;
  }

  // A target dir with its own (different) log and state machine: node 3 that fell behind.
  void MakeTarget() {
    target_ = OpenDir(root_ + "/target");
    Fill(target_.get(), 1, 1, 5, 10, "old");
    RecordWriter w(target_.get(), 1 << 20);
    for (uint64_t i = 1; i <= 7; ++i) {
      ASSERT_TRUE(w.Add(Record{kTreeRaftLog, LogEntryRec{LogEntry{LogId{{1, 1}, i}, BlankPayload{}}}}).ok());
    }
    ASSERT_TRUE(w.Add(Record{kTreeRaftLog, VoteRec{Vote{{1, 1}, true}}}).ok());
    ASSERT_TRUE(w.Flush().ok());
  }

  void ExpectInstalled(const RaftDir& dir, const Pairs& want) {
    EXPECT_EQ(SnapshotPairs(dir), want);
    const raft::SnapshotMeta meta = MetaOf(want);
    std::optional<LogId> purged, committed;
    ASSERT_TRUE(GetJson(dir, keys::kPurged, &purged).ok());
    ASSERT_TRUE(GetJson(dir, keys::kCommitted, &committed).ok());
    ASSERT_TRUE(purged && committed);
    EXPECT_EQ(purged->index, meta.index);
    EXPECT_EQ(purged->leader_id.term, meta.term);
    EXPECT_EQ(*committed, *purged);
    std::optional<Vote> vote;
    ASSERT_TRUE(GetJson(dir, keys::kVote, &vote).ok());
    EXPECT_TRUE(vote.has_value()) << "the vote survives an install";
    EXPECT_FALSE(Has(dir, keys::LogKey(1))) << "the old log is gone";
    EXPECT_FALSE(Has(dir, keys::kSnapshotInstall)) << "the install marker is removed";
    EXPECT_FALSE(fs::exists(StagedSnapshotPath(dir.path())));
  }

  std::string root_;
  std::unique_ptr<RaftDir> source_, target_;
};

TEST_F(SnapshotStoreTest, InstallReplacesLogAndStateMachine) {
  source_ = OpenDir(root_ + "/source");
  Fill(source_.get(), 4, 1, 200, 100, "new");
  const Pairs want = SnapshotPairs(*source_);
  auto meta = ReadSnapshotMeta(*source_, nullptr);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->index, 201u);
  EXPECT_EQ(meta->term, 4u);
  EXPECT_EQ(meta->membership.Voters(), (std::set<uint64_t>{1, 2, 3}));

  MakeTarget();
  const std::string staged = StagedSnapshotPath(target_->path());
  Stage(want, staged);
  auto last = InstallStagedSnapshot(target_.get(), staged, *meta);
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  EXPECT_EQ(last->index, 201u);
  ExpectInstalled(*target_, want);

  // The log store opened on it starts right after the snapshot.
  auto store = RaftLogStore::Open(target_.get());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->FirstIndex(), 202u);
  EXPECT_EQ(*(*store)->LastIndex(), 201u);
  EXPECT_EQ(*(*store)->Term(201), 4u);
  EXPECT_EQ((*store)->InitialState()->commit, 201u);
}

TEST_F(SnapshotStoreTest, InstallCutShortByACrashIsFinishedAtOpen) {
  source_ = OpenDir(root_ + "/source");
  Fill(source_.get(), 2, 1, 3000, 1000, "big");  // ~3 MiB: several 1 MiB copy batches
  const Pairs want = SnapshotPairs(*source_);
  MakeTarget();
  const std::string staged = StagedSnapshotPath(target_->path());
  Stage(want, staged);
  auto cut = InstallStagedSnapshot(target_.get(), staged, MetaOf(want), InstallFaults{.abort_after_batches = 1});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), Status::Code::kAborted);

  // "Restart": the dir now holds a half-copied state machine; export refuses it.
  const std::string path = target_->path();
  target_.reset();
  target_ = OpenDir(path);
  Status exported = ForEachRecord(*target_, nullptr, [](const Record&) { return Status::OK(); });
  EXPECT_EQ(exported.code(), Status::Code::kBusy);
  EXPECT_NE(exported.message().find("interrupted snapshot install"), std::string::npos) << exported.ToString();

  auto recovered = RecoverInterruptedInstall(target_.get());
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  ASSERT_TRUE(recovered->has_value());
  EXPECT_EQ((*recovered)->index, 3001u);
  ExpectInstalled(*target_, want);
  EXPECT_TRUE(ForEachRecord(*target_, nullptr, [](const Record&) { return Status::OK(); }).ok());
}

// metasrv restarted without flags on a dir whose install was cut short before the state
// machine's membership was copied: it finishes the install before checking the membership.
TEST_F(SnapshotStoreTest, NodeStartFinishesAnInterruptedInstall) {
  source_ = OpenDir(root_ + "/source");
  Fill(source_.get(), 2, 1, 3000, 1000, "big");
  const Pairs want = SnapshotPairs(*source_);
  MakeTarget();
  const std::string staged = StagedSnapshotPath(target_->path());
  Stage(want, staged);
  ASSERT_FALSE(InstallStagedSnapshot(target_.get(), staged, MetaOf(want), InstallFaults{.abort_after_batches = 1}).ok());
  std::optional<StoredMembership> m;
  ASSERT_TRUE(GetJson(*target_, keys::kLastMembership, &m).ok());
  ASSERT_FALSE(m.has_value()) << "the cut must fall before the membership was copied back";
  const std::string path = target_->path();
  target_.reset();

  NodeOptions o;
  o.id = 3;
  o.raft_dir = path;
  auto node = RaftNode::Open(o);
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  const NodeStatusView st = (*node)->GetStatus();
  EXPECT_EQ(st.last_applied, 3001u);
  EXPECT_EQ(st.purged, 3001u);
  EXPECT_EQ(st.voters, (std::vector<uint64_t>{1, 2, 3}));
  (*node)->Stop();
  node->reset();
  target_ = OpenDir(path);
  ExpectInstalled(*target_, want);
}

TEST_F(SnapshotStoreTest, MarkerWithoutStagedFileIsAnError) {
  MakeTarget();
  rocksdb::WriteBatch b;
  b.Put(keys::kSnapshotInstall, R"({"index":9,"term":1})");
  ASSERT_TRUE(storage_internal::Write(*target_, &b, true).ok());
  auto r = RecoverInterruptedInstall(target_.get());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("staged file"), std::string::npos) << r.status().ToString();
}

TEST_F(SnapshotStoreTest, IncompleteReceiveLeavesTheOldStateAndItsFileIsRemoved) {
  MakeTarget();
  const Pairs before = SnapshotPairs(*target_);
  const std::string staged = StagedSnapshotPath(target_->path());
  auto w = SnapshotWriter::Create(staged);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Add("Kpartial", "x").ok());
  w->reset();  // the process died while receiving
  ASSERT_TRUE(fs::exists(staged));
  auto r = RecoverInterruptedInstall(target_.get());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_EQ(SnapshotPairs(*target_), before);
}

TEST_F(SnapshotStoreTest, BadSnapshotDataIsRefused) {
  source_ = OpenDir(root_ + "/source");
  Fill(source_.get(), 3, 1, 10, 10, "k");
  const Pairs pairs = SnapshotPairs(*source_);
  std::string frames;
  for (const auto& [k, v] : pairs) AppendSnapshotFrame(&frames, k, v);
  const std::string sha = Sha256::Hex(frames);
  const raft::SnapshotMeta meta = MetaOf(pairs);
  const std::string path = root_ + "/staged";

  auto stage = [&](uint64_t count, const std::string& digest, raft::SnapshotMeta m) {
    auto w = SnapshotWriter::Create(path);
    EXPECT_TRUE(w.ok());
    for (const auto& [k, v] : pairs) EXPECT_TRUE((*w)->Add(k, v).ok());
    return (*w)->Finish(count, digest, m);
  };
  EXPECT_TRUE(stage(pairs.size(), sha, meta).ok());
  Status st = stage(pairs.size() + 1, sha, meta);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("received " + std::to_string(pairs.size()) + " pairs"), std::string::npos) << st.ToString();
  st = stage(pairs.size(), std::string(64, '0'), meta);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("sha256"), std::string::npos) << st.ToString();
  raft::SnapshotMeta other = meta;
  other.index += 1;
  st = stage(pairs.size(), sha, other);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("its message says index"), std::string::npos) << st.ToString();

  // Only state-machine keys belong in a snapshot: never the vote or the log.
  auto w = SnapshotWriter::Create(path);
  ASSERT_TRUE(w.ok());
  st = (*w)->Add(keys::kVote, "{}");
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(st.message().find("not a state-machine key"), std::string::npos) << st.ToString();

  // A truncated staged file is reported with its offset.
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << frames.substr(0, frames.size() - 3);
  }
  st = ForEachSnapshotPair(path, [](std::string_view, std::string_view) { return Status::OK(); });
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find(path + ": truncated snapshot frame at offset"), std::string::npos) << st.ToString();
}

TEST_F(SnapshotStoreTest, CompactPurgesTheLogDurably) {
  MakeTarget();  // log 1..7
  {
    auto store = RaftLogStore::Open(target_.get());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Compact(5).ok());
    EXPECT_EQ((*store)->purged_index(), 5u);
    EXPECT_EQ(*(*store)->FirstIndex(), 6u);
    EXPECT_EQ(*(*store)->Term(5), 1u);
    EXPECT_FALSE((*store)->Entries(5, 7, 1 << 20).ok()) << "entry 5 is purged";
    auto rest = (*store)->Entries(6, 8, 1 << 20);
    ASSERT_TRUE(rest.ok());
    EXPECT_EQ(rest->size(), 2u);
    EXPECT_TRUE((*store)->Compact(3).ok()) << "an already purged index is a no-op";
    Status st = (*store)->Compact(8);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << "beyond the last entry";
  }
  auto reopened = RaftLogStore::Open(target_.get());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->purged_index(), 5u);
  EXPECT_EQ(*(*reopened)->FirstIndex(), 6u);
  EXPECT_EQ(*(*reopened)->LastIndex(), 7u);
  EXPECT_FALSE(Has(*target_, keys::LogKey(5)));
}

}  // namespace
}  // namespace raftstore::node
