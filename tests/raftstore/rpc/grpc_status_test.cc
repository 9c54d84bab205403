// raftstore/rpc/grpc_status: the one Status <-> grpc::Status mapping.
#include <gtest/gtest.h>

#include "raftstore/rpc/grpc_status.h"

namespace {

using raftstore::Status;
using raftstore::rpc::CodeOf;
using raftstore::rpc::ToGrpc;
using Code = Status::Code;

TEST(GrpcStatus, ThirdPartyCodesAndOurCodeBack) {
  const struct {
    Status st;
    grpc::StatusCode grpc;
  } cases[] = {
      {Status::InvalidArgument("a"), grpc::StatusCode::INVALID_ARGUMENT},
      {Status::NotFound("b"), grpc::StatusCode::NOT_FOUND},
      {Status::AlreadyExists("c"), grpc::StatusCode::ALREADY_EXISTS},
      {Status::AlreadyMember("node 2 is already a voter"), grpc::StatusCode::ALREADY_EXISTS},
      {Status::Unavailable("d"), grpc::StatusCode::UNAVAILABLE},
      {Status::Busy("e"), grpc::StatusCode::UNAVAILABLE},
      {Status::NotLeader("node 1 is not the leader"), grpc::StatusCode::UNAVAILABLE},
      {Status::Aborted("f"), grpc::StatusCode::ABORTED},
      {Status::Internal("g"), grpc::StatusCode::INTERNAL},
      {Status::Corruption("h"), grpc::StatusCode::INTERNAL},
      {Status::IOError("i"), grpc::StatusCode::INTERNAL},
      {Status::OutcomeUnknown("j"), grpc::StatusCode::DEADLINE_EXCEEDED},
  };
  for (const auto& c : cases) {
    grpc::Status g = ToGrpc(c.st);
    EXPECT_EQ(g.error_code(), c.grpc) << c.st.message();
    EXPECT_EQ(g.error_message(), c.st.message());
    EXPECT_EQ(CodeOf(g), c.st.code()) << c.st.message();
    EXPECT_TRUE(raftstore::rpc::FromServer(g)) << c.st.message();
  }
  EXPECT_TRUE(ToGrpc(Status::OK()).ok());
  EXPECT_EQ(CodeOf(grpc::Status::OK), Code::kOk);
}

TEST(GrpcStatus, WithoutOurDetailsTheGrpcCodeDecides) {
  EXPECT_EQ(CodeOf(grpc::Status(grpc::StatusCode::UNAVAILABLE, "x")), Code::kUnavailable);
  EXPECT_EQ(CodeOf(grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "x")), Code::kAlreadyExists);
  // A client's own deadline: the write may have been applied.
  EXPECT_EQ(CodeOf(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "x")), Code::kOutcomeUnknown);
  EXPECT_EQ(CodeOf(grpc::Status(grpc::StatusCode::DATA_LOSS, "x")), Code::kInternal);
  EXPECT_FALSE(raftstore::rpc::FromServer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "x")));
  EXPECT_FALSE(raftstore::rpc::FromServer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "x", "not a proto \xff")));
  EXPECT_EQ(CodeOf(grpc::Status(grpc::StatusCode::UNAVAILABLE, "x", "not a proto \xff")), Code::kUnavailable);
}

TEST(GrpcStatus, WithMessageKeepsBothCodes) {
  grpc::Status g = raftstore::rpc::WithMessage(ToGrpc(Status::NotLeader("n")), "forwarded: n");
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(g.error_message(), "forwarded: n");
  EXPECT_EQ(CodeOf(g), Code::kNotLeader);
  grpc::Status plain = raftstore::rpc::WithMessage(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "t"), "f: t");
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(plain.error_message(), "f: t");
}

}  // namespace
