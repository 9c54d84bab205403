// Manifest encoding, naming and damage detection.

#include <gtest/gtest.h>

#include "raftstore/backup/manifest.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

TEST(Manifest, RoundTripAndDamageDetected) {
  pb::Manifest m;
  m.set_format_version(kManifestFormatVersion);
  m.set_id("20240102_030405");
  m.add_data_dirs()->set_path("/d");
  auto* f = m.add_files();
  f->set_path("a/b");
  f->set_size(3);
  auto* b = f->add_blocks();
  b->set_sha256(std::string(32, 'x'));
  b->set_size(3);
  std::string enc = EncodeManifest(m);
  auto back = DecodeManifest(enc, "t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->files(0).path(), "a/b");
  std::string bad = enc;
  bad[bad.size() / 2] ^= 1;
  EXPECT_FALSE(DecodeManifest(bad, "t").ok());
  f->set_size(4);  // blocks no longer add up
  EXPECT_FALSE(DecodeManifest(EncodeManifest(m), "t").ok());
  f->set_size(3);
  f->set_path("../evil");
  EXPECT_FALSE(DecodeManifest(EncodeManifest(m), "t").ok());
  m.set_format_version(99);
  auto v = DecodeManifest(EncodeManifest(m), "t");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("format version 99"), std::string::npos);
  EXPECT_EQ(BackupIdForTime(1704164645000), "20240102_030405");
}

// What a restore would write outside its target through: a data dir name that is not one plain
// path part, a file under (or at) a symlink entry. Found by fuzz/manifest_fuzz.cc.
TEST(Manifest, RefusesPathsOutsideTheTarget) {
  auto make = [] {
    pb::Manifest m;
    m.set_format_version(kManifestFormatVersion);
    for (const char* n : {"d0", "d1"}) {
      auto* d = m.add_data_dirs();
      d->set_path(std::string("/") + n);
      d->set_name(n);
    }
    auto* f = m.add_files();
    f->set_dir_index(1);
    f->set_path("a/x");
    return m;
  };
  ASSERT_TRUE(DecodeManifest(EncodeManifest(make()), "t").ok());
  auto expect_refused = [](const pb::Manifest& m, const std::string& what) {
    auto r = DecodeManifest(EncodeManifest(m), "t");
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
  };
  pb::Manifest m = make();
  m.mutable_data_dirs(1)->set_name("..");
  expect_refused(m, "bad or repeated data dir name \"..\"");
  m = make();
  m.mutable_data_dirs(1)->set_name("d0");
  expect_refused(m, "bad or repeated data dir name \"d0\"");
  m = make();
  auto* link = m.add_files();
  link->set_dir_index(1);
  link->set_path("a");
  link->set_type(pb::FileEntry::SYMLINK);
  link->set_link_target("/etc");
  expect_refused(m, "file a/x lies under the symlink a");
  link->set_path("a/x");
  expect_refused(m, "file a/x is listed twice");
  link->set_dir_index(0);  // the same path in another data dir is another file
  EXPECT_TRUE(DecodeManifest(EncodeManifest(m), "t").ok());
  // "./a/x" is the file "a/x" under another spelling: it would pass the under-a-symlink check
  // above and be written through the link "a".
  link->set_dir_index(1);
  link->set_path("a");
  m.mutable_files(0)->set_path("./a/x");
  expect_refused(m, "unsafe path \"./a/x\"");
  m.mutable_files(0)->set_path("a//x");
  expect_refused(m, "unsafe path \"a//x\"");
}
