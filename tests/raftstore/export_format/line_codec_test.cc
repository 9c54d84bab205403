// The line codec: byte-exact re-encoding of databend's export, old-version decoding, errors.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/line_codec.h"

using namespace raftstore;

namespace {

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

Record Decode(const std::string& line) {
  auto r = DecodeLine(line);
  EXPECT_TRUE(r.ok()) << r.status().message() << "\n" << line;
  return r.ok() ? *r : Record{};
}

std::string ErrorOf(const std::string& line) {
  auto r = DecodeLine(line);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? "" : r.status().message();
}

}  // namespace

TEST(LineCodec, EveryDatabendLineReencodesByteForByte) {
  const std::string path = std::string(SHARED_DIR) + "/compat/databend/want_exported_v004";
  auto lines = ReadLines(path);
  if (lines.empty()) GTEST_SKIP() << path << " is absent (../shared not beside the repo)";
  ASSERT_EQ(lines.size(), 167u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(EncodeLine(Decode(lines[i])), lines[i]) << "line " << i + 1;
  }
}

TEST(LineCodec, OwnFixtureReencodesByteForByte) {
  auto lines = ReadLines(std::string(TESTDATA_DIR) + "/own_v004.jsonl");
  ASSERT_EQ(lines.size(), 33u);
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(EncodeLine(Decode(lines[i])), lines[i]) << "line " << i + 1;
}

TEST(LineCodec, OldRaftStateKindsDecodeToV004Values) {
  EXPECT_EQ(Decode(R"(["raft_state",{"RaftStateKV":{"key":"Id","value":{"NodeId":3}}}])"),
            Decode(R"(["raft_log",{"NodeId":3}])"));
  EXPECT_EQ(Decode(R"(["raft_state",{"RaftStateKV":{"key":"HardState","value":{"HardState":{"leader_id":{"term":2,"node_id":1},"committed":true}}}}])"),
            Decode(R"(["raft_log",{"Vote":{"leader_id":{"term":2,"node_id":1},"committed":true}}])"));
  EXPECT_EQ(Decode(R"(["raft_state",{"RaftStateKV":{"key":"Committed","value":{"Committed":null}}}])"),
            Decode(R"(["raft_log",{"Committed":null}])"));
  EXPECT_EQ(Decode(R"(["raft_log",{"LogMeta":{"key":"LastPurged","value":{"LogId":{"leader_id":{"term":1,"node_id":0},"index":1}}}}])"),
            Decode(R"(["raft_log",{"Purged":{"leader_id":{"term":1,"node_id":0},"index":1}}])"));
}

TEST(LineCodec, OldLogsKindWithTxidDecodesToLogEntry) {
  Record old = Decode(R"(["raft_log",{"Logs":{"key":3,"value":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":3},"payload":{"Normal":{"txid":null,"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"AsIs","value_meta":null}}}}}}}])");
  EXPECT_EQ(EncodeLine(old),
            R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":3},"payload":{"Normal":{"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"AsIs","value_meta":null}}}}}}])");
  EXPECT_NE(ErrorOf(R"(["raft_log",{"Logs":{"key":4,"value":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":3},"payload":"Blank"}}}])")
                .find("key 4 differs from the entry's index 3"),
            std::string::npos);
}

TEST(LineCodec, OldMetaAndExpireFormsUpgrade) {
  EXPECT_EQ(EncodeLine(Decode(R"(["state_machine/0",{"GenericKV":{"key":"k","value":{"seq":1,"meta":{"expire_at":null},"data":[]}}}])")),
            R"(["state_machine/0",{"GenericKV":{"key":"k","value":{"seq":1,"meta":{},"data":[]}}}])");
  EXPECT_EQ(EncodeLine(Decode(R"(["state_machine/0",{"Expire":{"key":{"time_ms":5,"seq":2},"value":{"key":"k"}}}])")),
            R"(["state_machine/0",{"Expire":{"key":{"time_ms":5,"seq":2},"value":{"seq":1,"key":"k"}}}])");
  EXPECT_EQ(std::get<HeaderRec>(Decode(R"(["header",{"DataHeader":{"key":"header","value":{"version":"V003","upgrading":null}}}])").body).version,
            "V003");
}

// Each V002/V003 line kind and each defaulted field, with the V004 line it must become written
// out by hand from ../shared/DESIGN.md ("Older versions that import must still accept (and
// upgrade)"), not taken from this code's output.
TEST(LineCodec, EveryOldKindUpgradesToTheV004LineDesignSays) {
  const std::string lid2 = R"({"leader_id":{"term":1,"node_id":1},"index":2})";
  const std::string lid4 = R"({"leader_id":{"term":2,"node_id":1},"index":4})";
  const std::string upsert = R"({"UpsertKV":{"key":"k1","seq":"Any","value":{"Update":[1]},"value_meta":null}})";
  const struct { const char* what; std::string old_line, v004_line; } cases[] = {
      {"RaftStateKV Id", R"(["raft_state",{"RaftStateKV":{"key":"Id","value":{"NodeId":3}}}])",
       R"(["raft_log",{"NodeId":3}])"},
      {"RaftStateKV HardState",
       R"(["raft_state",{"RaftStateKV":{"key":"HardState","value":{"HardState":{"leader_id":{"term":2,"node_id":1},"committed":true}}}}])",
       R"(["raft_log",{"Vote":{"leader_id":{"term":2,"node_id":1},"committed":true}}])"},
      {"RaftStateKV Committed null", R"(["raft_state",{"RaftStateKV":{"key":"Committed","value":{"Committed":null}}}])",
       R"(["raft_log",{"Committed":null}])"},
      {"RaftStateKV Committed LogId",
       R"(["raft_state",{"RaftStateKV":{"key":"Committed","value":{"Committed":)" + lid4 + "}}}]",
       R"(["raft_log",{"Committed":)" + lid4 + "}]"},
      {"LogMeta LastPurged", R"(["raft_log",{"LogMeta":{"key":"LastPurged","value":{"LogId":)" + lid2 + "}}}]",
       R"(["raft_log",{"Purged":)" + lid2 + "}]"},
      {"Logs Blank", R"(["raft_log",{"Logs":{"key":2,"value":{"log_id":)" + lid2 + R"(,"payload":"Blank"}}}])",
       R"(["raft_log",{"LogEntry":{"log_id":)" + lid2 + R"(,"payload":"Blank"}}])"},
      {"Logs Membership",
       R"(["raft_log",{"Logs":{"key":2,"value":{"log_id":)" + lid2 +
           R"(,"payload":{"Membership":{"configs":[[1,2,3]],"nodes":{"1":{},"2":{},"3":{}}}}}}}])",
       R"(["raft_log",{"LogEntry":{"log_id":)" + lid2 +
           R"(,"payload":{"Membership":{"configs":[[1,2,3]],"nodes":{"1":{},"2":{},"3":{}}}}}}])"},
      {"Logs Normal with txid null",
       R"(["raft_log",{"Logs":{"key":4,"value":{"log_id":)" + lid4 +
           R"(,"payload":{"Normal":{"txid":null,"time_ms":1600000000000,"cmd":)" + upsert + "}}}}}]",
       R"(["raft_log",{"LogEntry":{"log_id":)" + lid4 + R"(,"payload":{"Normal":{"time_ms":1600000000000,"cmd":)" +
           upsert + "}}}}]"},
      {"GenericKV meta expire_at null",
       R"(["state_machine/0",{"GenericKV":{"key":"k1","value":{"seq":1,"meta":{"expire_at":null},"data":[1]}}}])",
       R"(["state_machine/0",{"GenericKV":{"key":"k1","value":{"seq":1,"meta":{},"data":[1]}}}])"},
      {"GenericKV meta expire_at set",
       R"(["state_machine/0",{"GenericKV":{"key":"k2","value":{"seq":2,"meta":{"expire_at":1900000000},"data":[2]}}}])",
       R"(["state_machine/0",{"GenericKV":{"key":"k2","value":{"seq":2,"meta":{"expire_at":1900000000},"data":[2]}}}])"},
      {"Expire value without seq",
       R"(["state_machine/0",{"Expire":{"key":{"time_ms":1900000000000,"seq":2},"value":{"key":"k2"}}}])",
       R"(["state_machine/0",{"Expire":{"key":{"time_ms":1900000000000,"seq":2},"value":{"seq":1,"key":"k2"}}}])"},
  };
  for (const auto& c : cases) {
    auto r = DecodeLine(c.old_line);
    ASSERT_TRUE(r.ok()) << c.what << ": " << r.status().ToString();
    EXPECT_EQ(EncodeLine(*r), c.v004_line) << c.what;
  }
  // Headers of both old versions are accepted with "upgrading": null; V002's obsolete
  // Initialized record decodes as a record import drops.
  for (const char* v : {"V002", "V003"}) {
    auto h = DecodeLine(std::string(R"(["header",{"DataHeader":{"key":"header","value":{"version":")") + v +
                        R"(","upgrading":null}}}])");
    ASSERT_TRUE(h.ok()) << v;
    EXPECT_EQ(std::get<HeaderRec>(h->body).version, v);
  }
  auto init = DecodeLine(R"(["state_machine/0",{"StateMachineMeta":{"key":"Initialized","value":{"Bool":true}}}])");
  ASSERT_TRUE(init.ok());
  EXPECT_TRUE(std::holds_alternative<ObsoleteRec>(init->body));
}

TEST(LineCodec, EveryByteAndNonAsciiSurvive) {
  SeqV v{7, KvMeta{}, std::string()};
  for (int b = 0; b < 256; ++b) v.data.push_back(static_cast<char>(b));
  Record r{kTreeStateMachine, KvRec{"ключ/\"\\\t\x01/🔑", v}};
  std::string line = EncodeLine(r);
  EXPECT_NE(line.find("ключ/\\\"\\\\\\t\\u0001/🔑"), std::string::npos) << line;  // raw UTF-8, JSON escapes
  EXPECT_EQ(Decode(line), r);
}

TEST(LineCodec, ErrorsNameTheFieldAndPlace) {
  EXPECT_EQ(ErrorOf(R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":0}},"payload":"Blank"}}])"),
            "raft_log LogEntry: log_id: missing field \"index\"");
  EXPECT_EQ(ErrorOf(R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":-1},"payload":"Blank"}}])"),
            "raft_log LogEntry: log_id: index: expected an unsigned integer, found negative number");
  EXPECT_EQ(ErrorOf(R"(["sm",{"GenericKV":{}}])"),
            "unknown tree \"sm\" (expected header, raft_log, raft_state, state_machine/N or footer)");
  EXPECT_EQ(ErrorOf(R"(["state_machine/0",{"GenericKV":{"key":"k","value":{"seq":1,"meta":{},"data":[256]}}}])"),
            "state_machine/0 GenericKV: value: data: element 0 is not a byte (0..255)");
  EXPECT_EQ(ErrorOf(R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":1},"payload":{"Normal":{"time_ms":1,"cmd":{"Transaction":{"condition":[{"key":"a","expected":9,"target":{"Seq":0}}],"if_then":[],"else_then":[]}}}}}}])"),
            "raft_log LogEntry: payload: Normal: cmd: Transaction: condition[0]: expected: 9 is not a comparison (0..5: EQ, GT, GE, LT, LE, NE)");
  EXPECT_EQ(ErrorOf(R"(["header",{"DataHeader":{"key":"header","value":{"version":"V003","upgrading":"V004"}}}])").rfind("header DataHeader: the source was in the middle of an upgrade", 0), 0u);
  // Our prefix, then the JSON parser's own words (not pinned here: they are nlohmann's).
  const std::string bad_json = ErrorOf("[\"raft_log\",{\"NodeId\":1}");
  EXPECT_EQ(bad_json.rfind("invalid JSON: ", 0), 0u) << bad_json;
  EXPECT_GT(bad_json.size(), std::string("invalid JSON: ").size()) << bad_json;
  EXPECT_EQ(ErrorOf("{}"), "expected a line of the form [tree, entry]");
}

TEST(LineCodec, MembershipNodesSortNumericallyAndVotersMustBeNodes) {
  Record r = Decode(R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":1},"payload":{"Membership":{"configs":[[10,2]],"nodes":{"10":{},"2":{},"3":{}}}}}}])");
  const auto& m = std::get<Membership>(std::get<LogEntryRec>(r.body).entry.payload);
  EXPECT_EQ(m.nodes, (std::vector<uint64_t>{2, 3, 10}));
  EXPECT_EQ(m.Learners(), (std::set<uint64_t>{3}));
  EXPECT_NE(ErrorOf(R"(["raft_log",{"LogEntry":{"log_id":{"leader_id":{"term":1,"node_id":0},"index":1},"payload":{"Membership":{"configs":[[1,4]],"nodes":{"1":{}}}}}}])")
                .find("voter 4 is missing from nodes"),
            std::string::npos);
}

// A number JSON allows but a double cannot hold was an uncaught exception (metactl import
// aborted); it is a Corruption like any bad line. Found by fuzz/line_codec_fuzz.cc.
TEST(LineCodec, NumberTooLargeForADoubleIsAnError) {
  for (const char* line : {R"(["header",{"DataHeader":{"key":"header","value":{"version":1e400}}}])",
                           R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1e999,"meta":null,"data":[]}}}])"}) {
    Result<Record> r = DecodeLine(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    EXPECT_NE(r.status().message().find("invalid JSON: number overflow parsing"), std::string::npos)
        << r.status().message();
  }
}
