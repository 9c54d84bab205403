// --initial-cluster parsing and the checks made before an import reads anything.
#include <gtest/gtest.h>

#include "metactl/importer.h"

using metactl::ImportOptions;
using metactl::ParsePeer;
using metactl::Peer;

TEST(ParsePeer, AcceptsHostPortAndOptionalGrpcAddress) {
  auto p = ParsePeer("4=127.0.0.1:29004");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->id, 4u);
  EXPECT_EQ(p->host, "127.0.0.1");
  EXPECT_EQ(p->port, 29004);
  EXPECT_EQ(p->grpc_api_advertise_address, "");
  auto q = ParsePeer("5=[::1]:28103,[::1]:9191");
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(q->host, "[::1]");
  EXPECT_EQ(q->grpc_api_advertise_address, "[::1]:9191");
}

TEST(ParsePeer, RejectsMalformedPeersNamingThem) {
  for (const char* bad : {"5=host", "x=host:1", "=host:1", "5=host:0", "5=host:65536", "5=:1", "0=host:1",
                          "5=host:1,grpc", "5", "5=host:12x"}) {
    auto p = ParsePeer(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_NE(p.status().message().find(std::string("--initial-cluster \"") + bad + "\""), std::string::npos)
        << p.status().message();
  }
}

TEST(ValidateImportOptions, ChecksIdsBeforeReading) {
  ImportOptions o;
  o.raft_dir = "/tmp/validate-import-options-absent";
  o.initial_cluster = {Peer{4, "a", 1, ""}, Peer{5, "b", 2, ""}};
  EXPECT_NE(metactl::ValidateImportOptions(o).message().find("needs --id"), std::string::npos);
  o.id = 6;
  EXPECT_NE(metactl::ValidateImportOptions(o).message().find("--id 6 is not among"), std::string::npos);
  o.id = 5;
  EXPECT_TRUE(metactl::ValidateImportOptions(o).ok());
  o.initial_cluster.push_back(Peer{5, "c", 3, ""});
  EXPECT_NE(metactl::ValidateImportOptions(o).message().find("node id 5 is given twice"), std::string::npos);
}
