// --initial-cluster parsing: one node per value, exactly ID=HOST:PORT[,GRPC_HOST:PORT], and the
// checks of the node set (ids and addresses unique).
#include <gtest/gtest.h>

#include "raftstore/transfer/peer.h"

using raftstore::transfer::CheckPeers;
using raftstore::transfer::ParseInitialCluster;
using raftstore::transfer::ParsePeer;
using raftstore::transfer::Peer;

namespace {

constexpr char kForm[] =
    "the form is ID=HOST:PORT[,GRPC_HOST:PORT], one node per --initial-cluster, "
    "e.g. --initial-cluster 1=127.0.0.1:28103,127.0.0.1:9191 --initial-cluster 2=127.0.0.1:28203";

std::string Message(const char* text) {
  auto p = ParsePeer(text);
  EXPECT_FALSE(p.ok()) << text;
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), raftstore::Status::Code::kInvalidArgument) << text;
  return p.status().message();
}

}  // namespace

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
  auto r = ParsePeer("1=127.0.0.1:48101,127.0.0.1:49191");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->port, 48101);
  EXPECT_EQ(r->grpc_api_advertise_address, "127.0.0.1:49191");
}

TEST(ParsePeer, RejectsMalformedPeersNamingThemAndShowingTheForm) {
  for (const char* bad : {"5=host", "x=host:1", "=host:1", "5=host:0", "5=host:65536", "5=:1", "0=host:1",
                          "5=host:1,grpc", "5", "5=host:12x", "", "5=host:1,", "5=host:1,h:2,h:3",
                          "1=http://127.0.0.1:48101", "1=127.0.0.1:48101,http://127.0.0.1:49191", "1=a@b:1"}) {
    const std::string m = Message(bad);
    EXPECT_EQ(m.find(std::string("--initial-cluster \"") + bad + "\": "), 0u) << m;
    EXPECT_NE(m.find(kForm), std::string::npos) << m;
  }
  EXPECT_EQ(Message("1=http://127.0.0.1:48101"),
            std::string("--initial-cluster \"1=http://127.0.0.1:48101\": raft address: expected HOST:PORT without a "
                        "scheme, e.g. \"127.0.0.1:48101\" instead of \"http://127.0.0.1:48101\"; ") + kForm);
  EXPECT_EQ(Message("5=host:1,"),
            std::string("--initial-cluster \"5=host:1,\": nothing after the comma: give the gRPC address or drop "
                        "the comma; ") + kForm);
  EXPECT_EQ(Message("5=host:1,h:2,h:3"),
            std::string("--initial-cluster \"5=host:1,h:2,h:3\": more than one comma: a node has one raft address "
                        "and at most one gRPC address; ") + kForm);
  EXPECT_EQ(Message("5=host"), std::string("--initial-cluster \"5=host\": raft address: no port: expected "
                                           "HOST:PORT, e.g. \"host:9191\"; ") + kForm);
}

// The etcd form (all nodes in one comma list) is refused with the flags it should have been.
TEST(ParsePeer, RefusesSeveralNodesInOneValueShowingOneFlagPerNode) {
  EXPECT_EQ(Message("1=127.0.0.1:48101,127.0.0.1:49191,2=127.0.0.1:48102,127.0.0.1:49192"),
            "--initial-cluster \"1=127.0.0.1:48101,127.0.0.1:49191,2=127.0.0.1:48102,127.0.0.1:49192\": names 2 "
            "nodes in one value; give one --initial-cluster per node: --initial-cluster "
            "1=127.0.0.1:48101,127.0.0.1:49191 --initial-cluster 2=127.0.0.1:48102,127.0.0.1:49192");
  EXPECT_EQ(Message("1=127.0.0.1:48101,,2=127.0.0.1:48102"),
            "--initial-cluster \"1=127.0.0.1:48101,,2=127.0.0.1:48102\": names 2 nodes in one value; give one "
            "--initial-cluster per node: --initial-cluster 1=127.0.0.1:48101 --initial-cluster 2=127.0.0.1:48102");
  EXPECT_EQ(Message("1=a:1,2=b:1,3=c:1"),
            "--initial-cluster \"1=a:1,2=b:1,3=c:1\": names 3 nodes in one value; give one --initial-cluster per "
            "node: --initial-cluster 1=a:1 --initial-cluster 2=b:1 --initial-cluster 3=c:1");
}

TEST(ParseInitialCluster, RefusesRepeatedIdsAndAddressesOfTwoNodes) {
  auto ok = ParseInitialCluster({"1=h:1,h:11", "2=h:2,h:12", "3=[::1]:1"});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[2].host, "[::1]");
  // One node may serve both APIs on one address (metasrv then runs one server).
  EXPECT_TRUE(ParseInitialCluster({"1=h:1,h:1"}).ok());
  EXPECT_TRUE(ParseInitialCluster({}).ok());

  auto twice = [](std::vector<std::string> v) { return ParseInitialCluster(v).status().message(); };
  EXPECT_EQ(twice({"4=a:1", "4=b:2"}), "--initial-cluster: node id 4 is given twice; each node needs its own id");
  EXPECT_EQ(twice({"1=127.0.0.1:48101", "2=127.0.0.1:48101"}),
            "--initial-cluster: address 127.0.0.1:48101 is given twice (node 1's raft address and node 2's raft "
            "address); each node needs addresses of its own");
  EXPECT_EQ(twice({"1=a:1,g:9", "2=b:1,G:9"}),
            "--initial-cluster: address g:9 is given twice (node 1's gRPC address and node 2's gRPC address); "
            "each node needs addresses of its own");
  EXPECT_EQ(twice({"1=a:1,b:1", "2=b:1"}),
            "--initial-cluster: address b:1 is given twice (node 1's gRPC address and node 2's raft address); "
            "each node needs addresses of its own");
  // The first malformed value is the error.
  EXPECT_EQ(twice({"1=a:1", "2=b"}).find("--initial-cluster \"2=b\": "), 0u);
  // CheckPeers also guards peers built in code (ImportOptions).
  EXPECT_FALSE(CheckPeers({Peer{1, "a", 1, ""}, Peer{2, "A", 1, ""}}).ok());
}
