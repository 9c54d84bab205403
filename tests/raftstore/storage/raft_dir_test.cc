// The raft dir: stored values round-trip, export order, and a dir in use is refused.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "raftstore/export_format/line_codec.h"
#include "raftstore/storage/kv_value.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/record_stream.h"
#include "raftstore/storage/rocks_access.h"

using namespace raftstore;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/storage-test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::vector<std::string> ExportLines(const RaftDir& dir) {
  std::vector<std::string> lines;
  Status st = ForEachRecord(dir, nullptr, [&](const Record& r) {
    lines.push_back(EncodeLine(r));
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return lines;
}

}  // namespace

TEST(KvValue, RoundTripsEveryMetaShape) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (const SeqV& v : {SeqV{1, std::nullopt, ""}, SeqV{1ULL << 40, KvMeta{}, all},
                        SeqV{3, KvMeta{1900000000, std::nullopt}, "x"},
                        SeqV{4, KvMeta{std::nullopt, 1700000000000ULL}, ""},
                        SeqV{5, KvMeta{1900000000123ULL, 1700000000000ULL}, all}}) {
    SeqV back;
    ASSERT_TRUE(DecodeSeqV(EncodeSeqV(v), &back).ok());
    EXPECT_EQ(back, v);
  }
  SeqV back;
  EXPECT_FALSE(DecodeSeqV(std::string("\x80", 1), &back).ok());
}

TEST(RaftDir, RecordsComeBackInExportOrder) {
  TempDir tmp;
  auto dir = RaftDir::Open(tmp.sub("d"), RaftDirOptions{true, false});
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  RecordWriter w(dir->get(), 1 << 20);
  // Written out of order on purpose: the scan orders them.
  ASSERT_TRUE(w.Add(Record{kTreeStateMachine, KvRec{"b", SeqV{2, KvMeta{}, "2"}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeStateMachine, KvRec{"a", SeqV{1, std::nullopt, ""}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeStateMachine, NodeRec{10, Node{"10", Endpoint{"h", 1}, std::nullopt}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeStateMachine, NodeRec{9, Node{"9", Endpoint{"h", 2}, "g:3"}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeRaftLog, LogEntryRec{LogEntry{LogId{LeaderId{1, 1}, 300}, BlankPayload{}}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeRaftLog, LogEntryRec{LogEntry{LogId{LeaderId{1, 1}, 2}, BlankPayload{}}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeStateMachine, ExpireRec{ExpireKey{1000, 5}, ExpireValue{1, "b"}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeStateMachine, ExpireRec{ExpireKey{999, 7}, ExpireValue{1, "a"}}}).ok());
  ASSERT_TRUE(w.Add(Record{kTreeRaftLog, NodeIdRec{3}}).ok());
  ASSERT_TRUE(w.Flush().ok());
  auto lines = ExportLines(**dir);
  std::vector<std::string> want = {
      R"(["header",{"DataHeader":{"key":"header","value":{"version":"V004"}}}])",
      R"(["raft_log",{"NodeId":3}])",
      R"(["raft_log",{"Vote":null}])",
      R"(["raft_log",{"Committed":null}])",
      R"(["raft_log",{"Purged":null}])",
      R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":1},"index":2},"payload":"Blank"}}])",
      R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":1},"index":300},"payload":"Blank"}}])",
      R"(["state_machine/0",{"Nodes":{"key":9,"value":{"name":"9","endpoint":{"addr":"h","port":2},"grpc_api_advertise_address":"g:3"}}}])",
      R"(["state_machine/0",{"Nodes":{"key":10,"value":{"name":"10","endpoint":{"addr":"h","port":1},"grpc_api_advertise_address":null}}}])",
      R"(["state_machine/0",{"Expire":{"key":{"time_ms":999,"seq":7},"value":{"seq":1,"key":"a"}}}])",
      R"(["state_machine/0",{"Expire":{"key":{"time_ms":1000,"seq":5},"value":{"seq":1,"key":"b"}}}])",
      R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":null,"data":[]}}}])",
      R"(["state_machine/0",{"GenericKV":{"key":"b","value":{"seq":2,"meta":{},"data":[50]}}}])",
  };
  EXPECT_EQ(lines, want);
}

// ForEachRecord hands every key in one reused record: a key after a longer one, a value
// after a longer one, no meta after a meta, each comes out as written.
TEST(RaftDir, EachKeyComesBackAsWrittenWhateverTheKeyBeforeIt) {
  TempDir tmp;
  auto dir = RaftDir::Open(tmp.sub("d"), RaftDirOptions{true, false});
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  const std::vector<KvRec> want = {
      KvRec{"a/" + std::string(100, 'k'), SeqV{7, KvMeta{1900000000, 1700000000000ULL}, std::string(5000, 'v')}},
      KvRec{"b", SeqV{3, std::nullopt, "x"}},
      KvRec{"c/" + std::string(40, 'k'), SeqV{9, KvMeta{}, ""}},
      KvRec{"d", SeqV{1, KvMeta{std::nullopt, 5}, std::string(300, '\0')}},
      KvRec{"e", SeqV{2, std::nullopt, ""}},
  };
  RecordWriter w(dir->get(), 1 << 20);
  for (const KvRec& kv : want) ASSERT_TRUE(w.Add(Record{kTreeStateMachine, kv}).ok());
  ASSERT_TRUE(w.Flush().ok());
  std::vector<KvRec> got;
  ASSERT_TRUE(ForEachRecord(**dir, nullptr, [&](const Record& r) {
                if (const auto* kv = std::get_if<KvRec>(&r.body)) got.push_back(*kv);
                return Status::OK();
              }).ok());
  EXPECT_EQ(got, want);
}

TEST(RaftDir, SecondOpenIsRefusedWithAClearError) {
  TempDir tmp;
  auto first = RaftDir::Open(tmp.sub("d"), RaftDirOptions{true, false});
  ASSERT_TRUE(first.ok());
  auto second = RaftDir::Open(tmp.sub("d"), RaftDirOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kBusy);
  EXPECT_NE(second.status().message().find("is in use: this process has it open already"), std::string::npos)
      << second.status().message();
  ASSERT_TRUE((*first)->Close().ok());
  EXPECT_TRUE(RaftDir::Open(tmp.sub("d"), RaftDirOptions{}).ok());
}

TEST(RaftDir, ForeignAndMissingDirsAreRefused) {
  TempDir tmp;
  EXPECT_EQ(RaftDir::Open(tmp.sub("none"), RaftDirOptions{}).status().code(), Status::Code::kNotFound);
  fs::create_directories(tmp.sub("other"));
  { std::ofstream(tmp.sub("other/x")) << "x"; }
  auto r = RaftDir::Open(tmp.sub("other"), RaftDirOptions{});
  EXPECT_NE(r.status().message().find("is not a raft dir"), std::string::npos);
  // A RocksDB database without our data version key is not a raft dir either.
  {
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o;
    o.create_if_missing = true;
    ASSERT_TRUE(rocksdb::DB::Open(o, tmp.sub("plain"), &raw).ok());
    raw->Put(rocksdb::WriteOptions(), "k", "v");
    delete raw;
  }
  auto p = RaftDir::Open(tmp.sub("plain"), RaftDirOptions{});
  EXPECT_NE(p.status().message().find("not a raft dir (no data version key)"), std::string::npos);
}
