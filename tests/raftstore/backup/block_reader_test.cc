// Reading a backup's metadata export back (MetadataStream): byte for byte across blocks, the
// newest backup by default, and a damaged, missing or absent metadata part named in status().
#include <sstream>

#include "raftstore/backup/block_reader.h"
#include "raftstore/backup/manifest.h"
#include "test_util.h"

namespace backup_test {
namespace {

class MetadataStreamTest : public BackupTest {
 protected:
  // A backup whose metadata export is `text` (4 KiB average blocks), at time `now_ms`.
  pb::Manifest BackupWithMetadata(const std::string& text, int64_t now_ms) {
    BackupOptions o;
    o.block_size = 4096;
    o.now_ms = now_ms;
    o.meta = MetaSource{"test", [text](std::ostream& out) -> raftstore::Result<MetaExported> {
                          out << text;
                          return MetaExported{1, 0};
                        }};
    auto m = RunBackup(*store_, o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : pb::Manifest();
  }

  static std::string ReadAll(std::istream& in) {
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(MetadataStreamTest, ReadsTheExportAcrossBlocks) {
  const std::string older = RandomBytes(5000, 7), newer = RandomBytes(4096 * 16 + 17, 8);
  BackupWithMetadata(older, 1'700'000'000'000);
  pb::Manifest m = BackupWithMetadata(newer, 1'700'000'100'000);
  ASSERT_GT(m.metadata().blocks_size(), 3);

  auto latest = MetadataStream::Open(*store_, "");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ((*latest)->backup_id(), m.id());
  EXPECT_EQ(ReadAll(**latest), newer);
  EXPECT_TRUE((*latest)->status().ok());

  auto named = MetadataStream::Open(*store_, BackupIdForTime(1'700'000'000'000));
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(ReadAll(**named), older);
}

TEST_F(MetadataStreamTest, ADamagedBlockEndsTheStreamAndIsNamed) {
  pb::Manifest m = BackupWithMetadata(RandomBytes(4096 * 16, 9), 1'700'000'000'000);
  ASSERT_GT(m.metadata().blocks_size(), 2);
  const uint64_t first = m.metadata().blocks(0).size();
  const std::string victim = BlockKey(BlockHex(m.metadata().blocks(1)));
  std::string bytes = ReadFile(repo_ + "/" + victim);
  bytes[10] ^= 1;
  WriteFile(repo_ + "/" + victim, bytes);

  auto s = MetadataStream::Open(*store_, m.id());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(ReadAll(**s).size(), first);  // the first block only
  EXPECT_EQ((*s)->status().code(), raftstore::Status::Code::kCorruption);
  EXPECT_NE((*s)->status().message().find("block " + victim + " of the metadata export of backup " +
                                          m.id() + " (offset " + std::to_string(first) +
                                          "): content does not match"),
            std::string::npos)
      << (*s)->status().message();

  fs::remove(repo_ + "/" + victim);
  auto gone = MetadataStream::Open(*store_, m.id());
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(ReadAll(**gone).size(), first);
  EXPECT_EQ((*gone)->status().code(), raftstore::Status::Code::kNotFound);
}

TEST_F(MetadataStreamTest, NoBackupOrNoMetadataIsNotFound) {
  auto none = MetadataStream::Open(*store_, "");
  EXPECT_EQ(none.status().code(), raftstore::Status::Code::kNotFound);
  EXPECT_NE(none.status().message().find("no backups at"), std::string::npos);

  pb::Manifest data_only = Backup(1'700'000'000'000);
  auto s = MetadataStream::Open(*store_, data_only.id());
  EXPECT_EQ(s.status().code(), raftstore::Status::Code::kNotFound);
  EXPECT_NE(s.status().message().find("has no metadata"), std::string::npos) << s.status().ToString();

  auto missing = MetadataStream::Open(*store_, "20200101_000000");
  EXPECT_EQ(missing.status().code(), raftstore::Status::Code::kNotFound);
}

}  // namespace
}  // namespace backup_test
