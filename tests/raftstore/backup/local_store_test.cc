// The local directory store.

#include <gtest/gtest.h>

#include "raftstore/backup/object_store.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

TEST(LocalStore, PutGetListDeleteAndCreateOnly) {
  TempDir d;
  auto s = NewLocalStore(d.path());
  ASSERT_TRUE(s->Put("data/x", "hello", {}).ok());
  EXPECT_EQ(*s->Get("data/x"), "hello");
  PutOptions once;
  once.if_none_match = true;
  ASSERT_TRUE(s->Put("manifests/a.manifest", "1", once).ok());
  auto again = s->Put("manifests/a.manifest", "2", once);
  EXPECT_EQ(again.code(), raftstore::Status::Code::kAlreadyExists);
  EXPECT_EQ(*s->Get("manifests/a.manifest"), "1");
  auto l = s->List("data/");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].key, "data/x");
  EXPECT_EQ((*l)[0].size, 5u);
  EXPECT_EQ(s->Get("data/none").status().code(), raftstore::Status::Code::kNotFound);
  EXPECT_FALSE(s->Head("data/none")->has_value());
  ASSERT_TRUE(s->Delete("data/x").ok());
  ASSERT_TRUE(s->Delete("data/x").ok());
  EXPECT_TRUE(s->List("data/")->empty());
  // No temp files are left behind.
  for (auto& e : fs::recursive_directory_iterator(d.path())) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
}
