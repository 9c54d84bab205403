// --initial-cluster parsing.
#include <gtest/gtest.h>

#include "raftstore/transfer/peer.h"

using raftstore::transfer::ParsePeer;

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
