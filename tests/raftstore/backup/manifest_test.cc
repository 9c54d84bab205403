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
