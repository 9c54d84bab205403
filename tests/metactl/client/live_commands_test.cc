// The metactl binary's live commands (metactl/client/*_commands.cc) against an in-process fake
// metasrv: output formats and exit codes.
#include <gtest/gtest.h>

#include "tests/raftstore/client/fake_metasrv.h"

namespace {

using namespace fake_metasrv;

#ifdef METACTL_BIN
struct RunResult {
  int rc = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs metactl with `args`; stdout and stderr go to files. With `interrupt_after_line`, sends
// SIGINT once stdout holds a first complete line.
RunResult RunMetactl(const std::vector<std::string>& args, bool interrupt_after_line = false) {
  static int n = 0;
  std::string base = ::testing::TempDir() + "metactl_cli_" + std::to_string(::getpid()) + "_" +
                     std::to_string(n++);
  std::string out_path = base + ".out", err_path = base + ".err";
  std::vector<std::string> all = {METACTL_BIN};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  RunResult r;
  int spawn_rc = posix_spawn(&pid, METACTL_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (spawn_rc != 0) return r;
  if (interrupt_after_line) {
    for (int i = 0; i < 500 && ReadFile(out_path).find('\n') == std::string::npos; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGINT);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  if (std::getenv("CLIENT_TEST_VERBOSE") != nullptr) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    std::fprintf(stderr, "$ metactl%s\n--- rc=%d stdout:\n%s--- stderr:\n%s\n", cmd.c_str(), r.rc,
                 r.out.c_str(), r.err.c_str());
  }
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

TEST(CliTest, GetTextJsonAndMissing) {
  FakeServer s(1);
  auto r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", "a"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "key:    a\nseq:    5\nexpire: never\nvalue:  hello\n");
  r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", "a", "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, R"({"key":"a","value":{"seq":5,"expire_at_ms":null,"data":"aGVsbG8=","text":"hello"}})" "\n");
  r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", "zzz"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("key \"zzz\" not found"), std::string::npos) << r.err;
  r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", ""});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("refused Get: INVALID_ARGUMENT: key is empty"), std::string::npos) << r.err;
}

TEST(CliTest, FirstAnsweringAddressAndNoneAnswers) {
  FakeServer s(2);
  std::string closed = ClosedAddr();
  auto r = RunMetactl({"status", "--grpc-api-address", closed, "--grpc-api-address", s.addr(),
                       "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"id":2,)"), std::string::npos) << r.out;
  // Retried until --timeout (raftstore/client/retry.h), then the last attempt's error.
  r = RunMetactl({"members", "--grpc-api-address", closed, "--timeout", "1"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no metasrv answers at " + closed), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" attempts in "), std::string::npos) << r.err;
}

TEST(CliTest, UpsertMatchFailureNamesKeyAndSeqs) {
  FakeServer s(1);
  auto r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                       "--ttl", "30s"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "k: seq 8 (was seq 7)\n");
  r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                  "--match-seq", "3"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("upsert \"k\" not applied: --match-seq expected seq 3 but its current seq is 7"),
            std::string::npos)
      << r.err;
  r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                  "--ttl", "30"});
  EXPECT_EQ(r.rc, 2) << r.err;
  r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                  "--ttl", "3s", "--expire-at", "5"});
  EXPECT_EQ(r.rc, 2) << r.err;
  r = RunMetactl({"delete", "--grpc-api-address", s.addr(), "--key", "k", "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find(R"("applied":true)"), std::string::npos) << r.out;
}

TEST(CliTest, ListAndWatchInterrupted) {
  FakeServer s(1);
  auto r = RunMetactl({"list", "--grpc-api-address", s.addr(), "--prefix", "p/", "--limit", "2"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "p/1 seq=1 \"\"\np/2 seq=1 \"\"\n");
  r = RunMetactl({"watch", "--grpc-api-address", s.addr(), "--prefix", "w/"},
                 /*interrupt_after_line=*/true);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "log=9 CREATE w/1 seq=3 \"v\"\n");
}

TEST(CliTest, ExportUsageAndLive) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  auto r = RunMetactl({"export"});
  EXPECT_EQ(r.rc, 2);
  r = RunMetactl({"export", "--raft-dir", "/nonexistent", "--grpc-api-address", s.addr()});
  EXPECT_EQ(r.rc, 2);
  r = RunMetactl({"export", "--raft-dir", "/nonexistent", "--chunk-size", "5"});
  EXPECT_EQ(r.rc, 2);
  r = RunMetactl({"export", "--grpc-api-address", s.addr(), "--chunk-size", "2"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, Joined(s.service().export_lines));
  EXPECT_NE(r.err.find("exported 5 records"), std::string::npos) << r.err;
  std::string db = ::testing::TempDir() + "live_export_" + std::to_string(::getpid()) + ".jsonl";
  r = RunMetactl({"export", "--grpc-api-address", s.addr(), "--db", db, "--no-footer"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(ReadFile(db), Joined(lines));
  std::remove(db.c_str());
  // A bad footer leaves no file (and no .part).
  s.service().export_lines.back() = FooterLine({lines[0]});
  r = RunMetactl({"export", "--grpc-api-address", s.addr(), "--db", db});
  EXPECT_EQ(r.rc, 1);
  EXPECT_FALSE(std::ifstream(db).good());
  EXPECT_FALSE(std::ifstream(db + ".part").good());
}
TEST(CliTest, BackupFromLiveServer) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  std::string dir = ::testing::TempDir() + "live_backup_" + std::to_string(::getpid());
  auto r = RunMetactl({"backup", dir, "--grpc-api-address", s.addr(), "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  // The backup holds what the server sent: restored and exported, every served record is there.
  const std::string restored = dir + "-restored";
  r = RunMetactl({"restore", dir, "--latest", "--raft-dir", restored, "--confirm"});
  ASSERT_EQ(r.rc, 0) << r.err;
  r = RunMetactl({"export", "--raft-dir", restored, "--no-footer"});
  ASSERT_EQ(r.rc, 0) << r.err;
  for (size_t i = 1; i < lines.size(); ++i) EXPECT_NE(r.out.find(lines[i] + "\n"), std::string::npos) << lines[i];
  // A bad footer fails the backup, and no second backup is listed (through the old spellings
  // --to and --meta-grpc, which reach the same code).
  s.service().export_lines.back() = FooterLine({lines[0]});
  r = RunMetactl({"backup", "--to", dir, "--meta-grpc", s.addr()});
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_NE(r.err.find("footer"), std::string::npos) << r.err;
  r = RunMetactl({"backups", dir, "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.find("\"id\""), r.out.rfind("\"id\"")) << "more than one backup listed: " << r.out;
  EXPECT_NE(r.out.find("\"id\""), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(restored);
}
#endif  // METACTL_BIN

}  // namespace
