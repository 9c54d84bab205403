// Status and Result<T>: errors as values at every boundary (LevelDB style).
//
// Contract: a function that can fail returns Status (or Result<T>). An error's message says
// what failed, where (file, line number, key, address) and, when there is one, what to do.
// Messages are complete sentences fragments joined by ": ", outermost context first, e.g.
//   "import /tmp/x.jsonl: line 17: raft_log LogEntry: missing field \"index\"".
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace raftstore {

class Status {
 public:
  // kNotLeader: refused because this node is not the raft leader; nothing was done, so the
  // request may go to the leader (an "Unavailable" with a known cause).
  // kAlreadyMember: a membership change asked for a role the node already has (an
  // "AlreadyExists" with a known cause: a joining node takes it as success).
  // kOutcomeUnknown: a write (or admin change) was handed on, but no answer says whether it
  // was carried out: it may have been applied, may be applied later, or never. Not safe to
  // resend blindly (docs/cluster.md, "Writes whose outcome is unknown").
  // kNoSpace: refused because the disk holding the data is (nearly) full; nothing was done,
  // and the same request succeeds once space is freed (gRPC RESOURCE_EXHAUSTED).
  // kUnauthenticated: no, a bad or an expired credential (token, password); kPermissionDenied:
  // the caller is known but its role does not allow the call, or the key is reserved;
  // kResourceExhausted: refused for now (too many failed logins), the message says when to retry.
  // Callers test these codes, never the message text; across gRPC they keep their code
  // (raftstore/rpc/grpc_status.h).
  enum class Code { kOk = 0, kInvalidArgument, kNotFound, kCorruption, kIOError, kBusy,
                    kAlreadyExists, kUnavailable, kAborted, kInternal, kNotLeader, kAlreadyMember,
                    kOutcomeUnknown, kNoSpace, kUnauthenticated, kPermissionDenied, kResourceExhausted };

  Status() = default;  // OK
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status Corruption(std::string m) { return Status(Code::kCorruption, std::move(m)); }
  static Status IOError(std::string m) { return Status(Code::kIOError, std::move(m)); }
  static Status Busy(std::string m) { return Status(Code::kBusy, std::move(m)); }
  static Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Aborted(std::string m) { return Status(Code::kAborted, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
  static Status NotLeader(std::string m) { return Status(Code::kNotLeader, std::move(m)); }
  static Status AlreadyMember(std::string m) { return Status(Code::kAlreadyMember, std::move(m)); }
  static Status OutcomeUnknown(std::string m) { return Status(Code::kOutcomeUnknown, std::move(m)); }
  static Status NoSpace(std::string m) { return Status(Code::kNoSpace, std::move(m)); }
  static Status Unauthenticated(std::string m) { return Status(Code::kUnauthenticated, std::move(m)); }
  static Status PermissionDenied(std::string m) { return Status(Code::kPermissionDenied, std::move(m)); }
  static Status ResourceExhausted(std::string m) { return Status(Code::kResourceExhausted, std::move(m)); }
  // Any code with any message (the gRPC mapping rebuilds a Status from its parts).
  static Status FromCode(Code c, std::string m) { return c == Code::kOk ? Status() : Status(c, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? std::string("OK") : message_; }

  // Returns a copy whose message is "context: <message>"; OK stays OK.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}                 // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace raftstore

// Propagates a non-OK Status out of the calling function.
#define RS_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::raftstore::Status _st = (expr);       \
    if (!_st.ok()) return _st;              \
  } while (0)

#define RS_CONCAT_INNER(a, b) a##b
#define RS_CONCAT(a, b) RS_CONCAT_INNER(a, b)
// RS_ASSIGN_OR_RETURN(auto x, Foo()); assigns the value or returns the error.
#define RS_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto RS_CONCAT(_res_, __LINE__) = (expr);                             \
  if (!RS_CONCAT(_res_, __LINE__).ok()) return RS_CONCAT(_res_, __LINE__).status(); \
  lhs = std::move(RS_CONCAT(_res_, __LINE__)).value()
