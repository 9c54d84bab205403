// The checks an import makes before it reads anything.
#include <gtest/gtest.h>

#include "raftstore/transfer/importer.h"

using raftstore::transfer::ImportOptions;
using raftstore::transfer::Peer;
using raftstore::transfer::ValidateImportOptions;

TEST(ValidateImportOptions, ChecksIdsBeforeReading) {
  ImportOptions o;
  o.raft_dir = "/tmp/validate-import-options-absent";
  o.initial_cluster = {Peer{4, "a", 1, ""}, Peer{5, "b", 2, ""}};
  EXPECT_NE(ValidateImportOptions(o).message().find("needs --id"), std::string::npos);
  o.id = 6;
  EXPECT_NE(ValidateImportOptions(o).message().find("--id 6 is not among"), std::string::npos);
  o.id = 5;
  EXPECT_TRUE(ValidateImportOptions(o).ok());
  o.initial_cluster.push_back(Peer{5, "c", 3, ""});
  EXPECT_NE(ValidateImportOptions(o).message().find("node id 5 is given twice"), std::string::npos);
}
