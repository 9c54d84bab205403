// encryption.h: AES-256-GCM sealing (round trip; a changed ciphertext, nonce, tag or name is
// refused), HMAC block ids (stable, key-dependent), the key file rules, and an encrypted
// location end to end (backup, restore, no plaintext at rest, wrong/missing key, mixing, a
// damaged block named by verify).

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "raftstore/backup/encryption.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/restore.h"
#include "raftstore/backup/verify.h"
#include "raftstore/common/hex.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
using namespace raftstore::backup;
using namespace backup_test;
using raftstore::Status;

namespace {

KeyMaterial RawKey(char fill) {
  KeyMaterial k;
  k.secret = std::string(32, fill);
  k.file = "test-key";
  return k;
}

std::shared_ptr<BackupCipher> Cipher(char fill, const std::string& salt = std::string(32, 's')) {
  auto c = BackupCipher::Derive(RawKey(fill), salt, 1);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

std::string KeyFile(const TempDir& dir, const std::string& name, const std::string& content,
                    mode_t mode = 0600) {
  std::string path = dir / name;
  WriteFile(path, content);
  chmod(path.c_str(), mode);
  return path;
}

}  // namespace

TEST(Cipher, SealOpenRoundTripAndFreshNonce) {
  auto c = Cipher('k');
  std::string plain = RandomBytes(100000, 7);
  auto a = c->Seal(plain, "data/x");
  auto b = c->Seal(plain, "data/x");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), plain.size() + kSealOverhead);
  EXPECT_NE(*a, *b) << "two seals of the same data must use different nonces";
  EXPECT_EQ(a->find(plain.substr(0, 64)), std::string::npos);
  auto back = c->Open(*a, "data/x", "object data/x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, plain);
  auto empty = c->Seal("", "manifests/m");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*c->Open(*empty, "manifests/m", "m"), "");
}

TEST(Cipher, TamperedCiphertextNonceTagOrNameIsRefused) {
  auto c = Cipher('k');
  std::string sealed = *c->Seal("some plaintext that matters", "data/abc");
  // Offsets: 0-3 magic, 4-15 nonce, then ciphertext, last 16 bytes the tag.
  for (size_t at : {size_t{5}, size_t{20}, sealed.size() - 1}) {
    std::string bad = sealed;
    bad[at] ^= 0x01;
    auto r = c->Open(bad, "data/abc", "object data/abc at here");
    ASSERT_FALSE(r.ok()) << "flip at " << at << " went unnoticed";
    EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
    EXPECT_NE(r.status().message().find("object data/abc at here: authentication failed"),
              std::string::npos)
        << r.status().ToString();
  }
  EXPECT_FALSE(c->Open(sealed, "data/abd", "moved").ok()) << "the AAD (object name) is not bound";
  EXPECT_FALSE(Cipher('j')->Open(sealed, "data/abc", "other key").ok());
  EXPECT_FALSE(c->Open(sealed.substr(0, 10), "data/abc", "short").ok());
}

TEST(Cipher, BlockIdIsStableAndKeyDependent) {
  std::string data = RandomBytes(5000, 3);
  Digest a = Cipher('k')->BlockId(data);
  EXPECT_EQ(a, Cipher('k')->BlockId(data));
  EXPECT_NE(a, Cipher('j')->BlockId(data));
  EXPECT_NE(a, Cipher('k', std::string(32, 't'))->BlockId(data)) << "salt must matter";
  EXPECT_NE(a, Sha256Digest(data));
  EXPECT_NE(a, Cipher('k')->BlockId(data + "x"));
  EXPECT_NE(Cipher('k')->KeyCheck(), Cipher('j')->KeyCheck());
}

TEST(Cipher, PassphraseIsStretchedWithTheSalt) {
  KeyMaterial p;
  p.kind = KeyMaterial::Kind::kPassphrase;
  p.secret = "correct horse battery staple";
  auto a = *BackupCipher::Derive(p, std::string(32, 's'), 1000);
  auto b = *BackupCipher::Derive(p, std::string(32, 's'), 1000);
  auto c = *BackupCipher::Derive(p, std::string(32, 'x'), 1000);
  EXPECT_EQ(a->KeyCheck(), b->KeyCheck());
  EXPECT_NE(a->KeyCheck(), c->KeyCheck());
  EXPECT_EQ(*b->Open(*a->Seal("hello", "n"), "n", "n"), "hello");
}

TEST(KeyFile, RawPassphraseEmptyAndOpenModes) {
  TempDir dir;
  std::string raw = RandomBytes(32, 9);
  auto k = ReadKeyFile(KeyFile(dir, "raw", raw));
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->kind, KeyMaterial::Kind::kRawKey);
  EXPECT_EQ(k->secret, raw);

  auto p = ReadKeyFile(KeyFile(dir, "pass", "my secret words\n"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, KeyMaterial::Kind::kPassphrase);
  EXPECT_EQ(p->secret, "my secret words");

  auto e = ReadKeyFile(KeyFile(dir, "empty", "\n"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("is empty"), std::string::npos);

  std::string open = KeyFile(dir, "open", "hunter2-passphrase", 0644);
  auto o = ReadKeyFile(open);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("mode 0644"), std::string::npos) << o.status().ToString();
  EXPECT_NE(o.status().message().find("chmod 600 " + open), std::string::npos);
  EXPECT_EQ(o.status().ToString().find("hunter2"), std::string::npos) << "the key leaked";
  EXPECT_FALSE(ReadKeyFile(dir / "missing").ok());
}

// ---------------------------------------------------------------------------------------------

class EncryptedLocationTest : public BackupTest {
 protected:
  std::string Key(const std::string& name, const std::string& content) {
    return KeyFile(keys_, name, content);
  }
  raftstore::Result<std::unique_ptr<ObjectStore>> Open(const std::string& key_file,
                                                       bool for_backup) {
    return OpenLocationStore(NewLocalStore(repo_), key_file, for_backup);
  }
  TempDir keys_;
};

TEST_F(EncryptedLocationTest, BackupRestoreWithKeyAndNoPlaintextAtRest) {
  std::string key = Key("key", RandomBytes(32, 11));
  auto enc = Open(key, /*for_backup=*/true);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  store_ = std::move(*enc);
  EXPECT_TRUE(store_->Encrypted());
  auto m = Backup();
  EXPECT_EQ(m.stats().new_blocks(), 6u) << "identical blocks must still deduplicate";
  EXPECT_NE(ReadFile(repo_ + "/README.md").find("ENCRYPTED"), std::string::npos);

  // No object at rest holds a 64-byte run of any source file.
  std::string a = ReadFile(data_ + "/a.bin");
  for (const auto& e : fs::recursive_directory_iterator(repo_)) {
    if (!e.is_regular_file()) continue;
    std::string bytes = ReadFile(e.path().string());
    for (size_t off = 0; off + 64 <= a.size(); off += 64) {
      ASSERT_EQ(bytes.find(a.substr(off, 64)), std::string::npos) << e.path();
    }
  }

  auto again = Open(key, false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  ro.confirm = true;
  auto r = RunRestore(**again, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile(dir_ / "out/a.bin"), a);
  EXPECT_EQ(ReadFile(dir_ / "out/sub/b.bin"), ReadFile(data_ + "/sub/b.bin"));
}

TEST_F(EncryptedLocationTest, MissingOrWrongKeyIsRefusedAtOnce) {
  std::string key = Key("key", RandomBytes(32, 11));
  store_ = std::move(*Open(key, true));
  Backup();

  auto none = Open("", false);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("location directory " + repo_ + " is encrypted"),
            std::string::npos) << none.status().ToString();
  EXPECT_NE(none.status().message().find("--encryption-key-file"), std::string::npos);
  auto none_backup = Open("", true);  // an unencrypted backup into it: refused the same way
  EXPECT_FALSE(none_backup.ok());

  auto wrong = Open(Key("wrong", RandomBytes(32, 12)), false);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("is not the key of location"), std::string::npos)
      << wrong.status().ToString();
  auto pass = Open(Key("pass", "a passphrase\n"), false);
  ASSERT_FALSE(pass.ok());
  EXPECT_NE(pass.status().message().find("passphrase file"), std::string::npos)
      << pass.status().ToString();
}

TEST_F(EncryptedLocationTest, PlaintextLocationRefusesAKey) {
  Backup();  // unencrypted
  auto enc = Open(Key("key", RandomBytes(32, 11)), true);
  ASSERT_FALSE(enc.ok());
  EXPECT_NE(enc.status().message().find("holds unencrypted backups"), std::string::npos)
      << enc.status().ToString();
  EXPECT_FALSE(fs::exists(repo_ + "/encryption"));
  auto read = Open(Key("key2", RandomBytes(32, 11)), false);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("is not encrypted"), std::string::npos);
}

TEST_F(EncryptedLocationTest, PassphraseLocation) {
  std::string pass = Key("pass", "long enough passphrase for tests\n");
  auto enc = Open(pass, true);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  store_ = std::move(*enc);
  Backup();
  EXPECT_NE(ReadFile(repo_ + "/encryption").find("kdf pbkdf2-hmac-sha256"), std::string::npos);
  auto again = Open(pass, false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ListBackupIds(**again)->size(), 1u);
  EXPECT_TRUE(LoadManifest(**again, (*ListBackupIds(**again))[0]).ok());
  EXPECT_FALSE(Open(Key("pass2", "another passphrase\n"), false).ok());
}

TEST_F(EncryptedLocationTest, FlippedByteIsNamedByVerifyAndRestore) {
  std::string key = Key("key", RandomBytes(32, 11));
  store_ = std::move(*Open(key, true));
  auto m = Backup();
  // The first block of sub/b.bin (only that file uses it).
  const pb::FileEntry* b = nullptr;
  for (const auto& f : m.files()) {
    if (f.path() == "sub/b.bin") b = &f;
  }
  ASSERT_NE(b, nullptr);
  std::string hex = raftstore::HexEncode(b->blocks(0).sha256());
  std::string path = repo_ + "/data/" + hex;
  std::string bytes = ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x20;
  chmod(path.c_str(), 0600);
  WriteFile(path, bytes);

  VerifyOptions vo;
  vo.read_percent = 100;
  auto rep = RunVerify(*store_, vo);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  ASSERT_EQ(rep->problems.size(), 1u);
  EXPECT_NE(rep->problems[0].find("data/" + hex), std::string::npos) << rep->problems[0];
  EXPECT_NE(rep->problems[0].find("authentication failed"), std::string::npos) << rep->problems[0];
  EXPECT_NE(rep->problems[0].find("sub/b.bin"), std::string::npos) << rep->problems[0];

  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find("data/" + hex), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find("sub/b.bin"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}
