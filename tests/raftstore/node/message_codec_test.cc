// raft::Message <-> proto: every field survives the round trip, through the wire bytes too.
#include <gtest/gtest.h>

#include "raftstore/node/message_codec.h"

using namespace raftstore;
using raftstore::node::FromProto;
using raftstore::node::ToProto;

namespace {

raft::Message RoundTrip(const raft::Message& m) {
  metasrv::raft::Message pm;
  ToProto(m, &pm);
  std::string wire;
  EXPECT_TRUE(pm.SerializeToString(&wire));
  metasrv::raft::Message back;
  EXPECT_TRUE(back.ParseFromString(wire));
  auto r = FromProto(back);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : raft::Message{};
}

TEST(MessageCodec, AppendWithEveryEntryKind) {
  raft::Message m;
  m.type = raft::MessageType::kAppend;
  m.from = 1;
  m.to = 3;
  m.term = 7;
  m.log_term = 6;
  m.index = 41;
  m.commit = 40;
  raft::Entry blank{7, 42, 1, raft::EntryType::kBlank, "", {}};
  raft::Entry normal{7, 43, 1, raft::EntryType::kNormal, std::string("{\"x\":\0\xff}", 8), {}};
  raft::Entry joint{7, 44, 1, raft::EntryType::kMembership, "", {{{1, 2, 3}, {2, 3, 4}}, {5, 6}}};
  raft::Entry simple{7, 45, 2, raft::EntryType::kMembership, "", {{{4}}, {}}};
  m.entries = {blank, normal, joint, simple};
  EXPECT_EQ(RoundTrip(m).entries, m.entries);
  raft::Message back = RoundTrip(m);
  EXPECT_EQ(back.type, m.type);
  EXPECT_EQ(back.from, 1u);
  EXPECT_EQ(back.to, 3u);
  EXPECT_EQ(back.term, 7u);
  EXPECT_EQ(back.log_term, 6u);
  EXPECT_EQ(back.index, 41u);
  EXPECT_EQ(back.commit, 40u);
  EXPECT_EQ(back.entries[1].data.size(), 8u);
  EXPECT_FALSE(back.snapshot.has_value());
}

TEST(MessageCodec, EveryScalarFieldAndType) {
  for (int t = 0; t <= static_cast<int>(raft::MessageType::kReadIndexResp); ++t) {
    raft::Message m;
    m.type = static_cast<raft::MessageType>(t);
    m.from = 5;
    m.to = 4;
    m.term = 1ULL << 40;
    m.log_term = 9;
    m.index = ~0ULL;
    m.commit = 12;
    m.reject = (t % 2) == 1;
    m.reject_hint = 33;
    m.context = std::string("ctx\0-7", 6);
    m.transfer = (t % 3) == 0;
    raft::Message b = RoundTrip(m);
    EXPECT_EQ(b.type, m.type) << t;
    EXPECT_EQ(b.from, m.from);
    EXPECT_EQ(b.to, m.to);
    EXPECT_EQ(b.term, m.term);
    EXPECT_EQ(b.log_term, m.log_term);
    EXPECT_EQ(b.index, m.index);
    EXPECT_EQ(b.commit, m.commit);
    EXPECT_EQ(b.reject, m.reject);
    EXPECT_EQ(b.reject_hint, m.reject_hint);
    EXPECT_EQ(b.context, m.context);
    EXPECT_EQ(b.transfer, m.transfer);
    EXPECT_TRUE(b.entries.empty());
  }
}

TEST(MessageCodec, SnapshotMeta) {
  raft::Message m;
  m.type = raft::MessageType::kSnapshot;
  m.from = 1;
  m.to = 2;
  m.snapshot = raft::SnapshotMeta{100, 6, {{{1, 2, 3}}, {9}}};
  raft::Message b = RoundTrip(m);
  ASSERT_TRUE(b.snapshot.has_value());
  EXPECT_EQ(*b.snapshot, *m.snapshot);
  // An empty snapshot meta is still present (has_value), not lost.
  m.snapshot = raft::SnapshotMeta{};
  b = RoundTrip(m);
  ASSERT_TRUE(b.snapshot.has_value());
  EXPECT_EQ(*b.snapshot, raft::SnapshotMeta{});
}

TEST(MessageCodec, RefusesUnknownTypes) {
  metasrv::raft::Message pm;
  pm.set_type(static_cast<metasrv::raft::MessageType>(99));
  pm.set_from(3);
  auto r = FromProto(pm);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown type 99"), std::string::npos) << r.status().message();

  metasrv::raft::Message pe;
  pe.set_type(metasrv::raft::MSG_APPEND);
  pe.add_entries()->set_type(static_cast<metasrv::raft::EntryType>(7));
  EXPECT_FALSE(FromProto(pe).ok());
}

}  // namespace
