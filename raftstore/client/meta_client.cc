#include "raftstore/client/meta_client.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/common/interrupt.h"
#include "raftstore/rpc/channel.h"
#include "raftstore/rpc/grpc_status.h"
#include "raftstore/rpc/tls_probe.h"

namespace raftstore::client {

using raftstore::Result;
using raftstore::Status;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string FormatDuration(milliseconds d) {
  int64_t ms = d.count();
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  return std::to_string(ms / 1000) + "s";
}

namespace {

bool Contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// Cancels a streaming call when no message arrived for `timeout`.
class Watchdog {
 public:
  Watchdog(grpc::ClientContext* ctx, milliseconds timeout) : ctx_(ctx), timeout_(timeout) {
    last_ = Clock::now();
    thread_ = std::thread([this] { Loop(); });
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  // While paused (the caller is handling a message, e.g. writing to a slow pipe) the clock
  // does not run; Resume() restarts the wait for the next message.
  void Pause() {
    std::lock_guard<std::mutex> lock(mu_);
    paused_ = true;
  }
  void Resume() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      paused_ = false;
      last_ = Clock::now();
    }
    cv_.notify_all();
  }
  bool fired() const { return fired_.load(); }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!done_) {
      if (paused_) {
        cv_.wait(lock);
        continue;
      }
      auto deadline = last_ + timeout_;
      if (Clock::now() >= deadline) {
        fired_ = true;
        ctx_->TryCancel();
        return;
      }
      cv_.wait_until(lock, deadline);
    }
  }

  grpc::ClientContext* ctx_;
  milliseconds timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  Clock::time_point last_;
  bool done_ = false;
  bool paused_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

// Why TLS failed toward the client API at `addr` (rpc/tls_probe.h), or "".
std::string TlsProblem(const std::string& addr) {
  std::shared_ptr<raftstore::rpc::TlsIdentity> tls = raftstore::rpc::PlaneTls(raftstore::rpc::Plane::kClientApi);
  return raftstore::rpc::DiagnoseTls(addr, tls.get());
}

// `sent_on_connection`: a call that changes something, made only once its channel was connected
// (MetaClient::AwaitSendable): a transport failure then may have come after the server got it.
Status GrpcError(const std::string& addr, const grpc::Status& st, const char* rpc,
                 milliseconds waited, grpc::Channel* channel, bool sent_on_connection = false) {
  const std::string& msg = st.error_message();
  // A server's answer (it carries our code) is never a transport failure, whatever its gRPC
  // code: e.g. a follower's UNAVAILABLE saying why it could not forward to the leader.
  switch (raftstore::rpc::FromServer(st) ? grpc::StatusCode::OK : st.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      // A write may have been applied (or be applied later): the caller must not resend it blindly.
      return Status::OutcomeUnknown("timed out after " + FormatDuration(waited) + " waiting for " +
                                    addr + " (RPC " + rpc + ")");
    case grpc::StatusCode::UNAVAILABLE: {
      // The transport's own failures (refused, reset, DNS) vs. a server that answered
      // UNAVAILABLE (no leader yet, shutting down) on a working connection.
      bool transport = Contains(msg, "failed to connect") || Contains(msg, "Failed to connect") ||
                       Contains(msg, "Connection refused") || Contains(msg, "Socket closed") ||
                       Contains(msg, "Connection reset") || Contains(msg, "DNS resolution") ||
                       Contains(msg, "connections to all backends failing") ||
                       Contains(msg, "Broken pipe");
      if (!transport && channel != nullptr) {
        transport = channel->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE;
      }
      if (transport) {
        // gRPC says "failed to connect to all addresses; last error: UNKNOWN: ipv4:...: Failed
        // to connect to remote host: Connection refused": keep the part that says why.
        std::string why = msg;
        const std::string marker = "Failed to connect to remote host: ";
        if (auto pos = msg.find(marker); pos != std::string::npos) {
          why = msg.substr(pos + marker.size());
        }
        // A failed TLS handshake looks like any failed connection to gRPC: ask OpenSSL why. No
        // request got through it, and no retry can help.
        if (std::string tls_why = TlsProblem(addr); !tls_why.empty()) {
          return Status::Aborted("cannot reach metasrv at " + addr + ": " + tls_why);
        }
        if (sent_on_connection) {
          return Status::OutcomeUnknown("lost the connection to metasrv at " + addr + " during RPC " + rpc + " (" +
                                        why + "): it may have been carried out; do not resend it blindly "
                                        "(docs/cluster.md, \"Writes whose outcome is unknown\")");
        }
        return Status::Unavailable("cannot reach metasrv at " + addr + ": " + why);
      }
      break;
    }
    case grpc::StatusCode::CANCELLED:
      // gRPC ended the call without the server's answer (a server stopping cancels what it has
      // not answered): a change may have been carried out; anything else can be asked again.
      if (sent_on_connection) {
        return Status::OutcomeUnknown("metasrv at " + addr + " cancelled RPC " + rpc +
                                      " without an answer (stopping?): it may have been carried out; do not resend "
                                      "it blindly (docs/cluster.md, \"Writes whose outcome is unknown\")");
      }
      return Status::Unavailable("metasrv at " + addr + " cancelled RPC " + rpc +
                                 " without an answer (stopping?): retry, or ask another member");
    default:
      break;
  }
  // The server's own code (NotLeader, AlreadyMember, ...), or the gRPC code's nearest.
  std::string text = "metasrv at " + addr + " refused " + rpc + ": " + raftstore::rpc::GrpcCodeName(st.error_code()) +
                     (msg.empty() ? "" : ": " + msg);
  return Status::FromCode(raftstore::rpc::CodeOf(st), std::move(text));
}

// The process's credentials and its cached token (MetaClient::SetCredentials).
struct TokenState {
  std::mutex mu;
  bool have_credentials = false;
  std::string user, password;
  bool have_token = false;
  std::string token;            // empty: the server has auth disabled
  Clock::time_point refresh_at;  // log in again from then on
};
TokenState& Tokens() {
  static TokenState state;
  return state;
}

// No receive limit: large exports and values (the server bounds what it sends). A client that
// retries (Dial) also reconnects quickly: a restarted node is used again within a second.
std::shared_ptr<grpc::Channel> ClientChannel(const std::string& addr, bool retried) {
  return raftstore::rpc::NewChannel(addr, {.fast_reconnect = retried, .unlimited_receive = true});
}

}  // namespace

MetaClient::MetaClient(std::string addr, std::shared_ptr<grpc::Channel> channel,
                       milliseconds timeout)
    : addr_(std::move(addr)),
      channel_(std::move(channel)),
      stub_(metasrv::Meta::NewStub(channel_)),
      timeout_(timeout) {}

Result<std::unique_ptr<MetaClient>> MetaClient::Connect(const std::vector<std::string>& addrs_in,
                                                         milliseconds timeout,
                                                         milliseconds probe_timeout) {
  std::vector<std::string> addrs = addrs_in;
  if (addrs.empty()) addrs.push_back(kDefaultAddress);
  milliseconds probe = std::min(timeout, probe_timeout);
  std::string list, why;
  bool tls_failed = false;
  for (const auto& addr : addrs) {
    list += (list.empty() ? "" : ", ") + addr;
    auto channel = ClientChannel(addr, /*retried=*/false);
    std::unique_ptr<MetaClient> c(new MetaClient(addr, channel, timeout));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + probe);
    // Only whether and what answers: a key count would make the server read every key.
    metasrv::StatusRequest probe_req;
    probe_req.set_skip_key_count(true);
    metasrv::StatusReply reply;
    grpc::Status st = c->stub_->Status(&ctx, probe_req, &reply);
    const raftstore::Status::Code code = raftstore::rpc::CodeOf(st);
    if (raftstore::rpc::FromServer(st) &&
        (code == Status::Code::kUnauthenticated || code == Status::Code::kPermissionDenied)) {
      // Auth is enabled: the server answers; the calls themselves carry the token.
      spdlog::debug("using metasrv at {} (auth enabled)", addr);
      return c;
    }
    if (st.ok()) {
      spdlog::debug("using metasrv at {} (node {}, {})", addr, reply.id(), reply.role());
      c->probe_status_ = std::move(reply);
      return c;
    }
    Status err = GrpcError(addr, st, "Status", probe, channel.get());
    spdlog::debug("probe {}: {}", addr, err.message());
    why += (why.empty() ? "" : "; ") + err.message();
    tls_failed = tls_failed || err.code() == Status::Code::kAborted;
  }
  if (tls_failed) return Status::Aborted("no metasrv answers at " + list + ": " + why);
  return Status::Unavailable("no metasrv answers at " + list + ": " + why +
                             " (is metasrv running? check --grpc-api-address)");
}

std::unique_ptr<MetaClient> MetaClient::Dial(const std::string& addr, milliseconds timeout) {
  return std::unique_ptr<MetaClient>(new MetaClient(addr, ClientChannel(addr, /*retried=*/true), timeout));
}

void MetaClient::SetDeadline(grpc::ClientContext& ctx) const {
  ctx.set_deadline(std::chrono::system_clock::now() + timeout_);
}

void MetaClient::SetCredentials(std::string user, std::string password) {
  TokenState& t = Tokens();
  std::lock_guard<std::mutex> lock(t.mu);
  t.have_credentials = true;
  t.user = std::move(user);
  t.password = std::move(password);
  t.have_token = false;
}

bool MetaClient::DropToken() {
  TokenState& t = Tokens();
  std::lock_guard<std::mutex> lock(t.mu);
  const bool dropped = t.have_credentials && t.have_token;
  t.have_token = false;
  return dropped;
}

Status MetaClient::AddToken(grpc::ClientContext& ctx) {
  TokenState& t = Tokens();
  std::lock_guard<std::mutex> lock(t.mu);
  if (!t.have_credentials) return Status::OK();
  if (!t.have_token || Clock::now() >= t.refresh_at) {
    const auto asked = Clock::now();
    Result<metasrv::AuthenticateReply> r = Authenticate(t.user, t.password);
    if (!r.ok()) return r.status();
    t.have_token = true;
    t.token = r->token();
    // Auth disabled: check again in a minute (or at the first Unauthenticated, DropToken).
    const milliseconds ttl = r->auth_enabled() ? milliseconds(r->ttl_ms()) : milliseconds(60000);
    t.refresh_at = asked + ttl - ttl / 10;
  }
  if (!t.token.empty()) ctx.AddMetadata("authorization", "Bearer " + t.token);
  return Status::OK();
}

Status MetaClient::Prepare(grpc::ClientContext& ctx) {
  SetDeadline(ctx);
  return AddToken(ctx);
}

Status MetaClient::Error(const grpc::Status& st, const char* rpc, milliseconds waited) const {
  return GrpcError(addr_, st, rpc, waited, channel_.get());
}

Status MetaClient::AwaitSendable(const grpc::ClientContext& ctx, const char* rpc) const {
  if (raftstore::rpc::AwaitConnected(channel_.get(), ctx.deadline())) return Status::OK();
  const bool failing = channel_->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE;
  if (std::string tls_why = TlsProblem(addr_); !tls_why.empty()) {
    return Status::Aborted("cannot reach metasrv at " + addr_ + ": " + tls_why + "; RPC " + rpc + " was not sent");
  }
  return Status::Unavailable("cannot reach metasrv at " + addr_ + ": " +
                             (failing ? "cannot connect" : "not connected within " + FormatDuration(timeout_)) +
                             "; RPC " + rpc + " was not sent");
}

Status MetaClient::ChangeError(const grpc::Status& st, const char* rpc) const {
  return GrpcError(addr_, st, rpc, timeout_, channel_.get(), /*sent_on_connection=*/true);
}

Result<metasrv::StatusReply> MetaClient::GetStatus(bool count_keys) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  metasrv::StatusRequest req;
  req.set_skip_key_count(!count_keys);
  metasrv::StatusReply reply;
  grpc::Status st = stub_->Status(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "Status", timeout_);
  return reply;
}

Result<metasrv::MemberListReply> MetaClient::MemberList() {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  metasrv::MemberListReply reply;
  grpc::Status st = stub_->MemberList(&ctx, metasrv::MemberListRequest(), &reply);
  if (!st.ok()) return Error(st, "MemberList", timeout_);
  return reply;
}

Result<metasrv::TransferLeaderReply> MetaClient::TransferLeader(uint64_t to) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  if (Status sendable = AwaitSendable(ctx, "TransferLeader"); !sendable.ok()) return sendable;
  metasrv::TransferLeaderRequest req;
  req.set_to(to);
  metasrv::TransferLeaderReply reply;
  grpc::Status st = stub_->TransferLeader(&ctx, req, &reply);
  if (!st.ok()) return ChangeError(st, "TransferLeader");
  return reply;
}

Result<metasrv::TriggerSnapshotReply> MetaClient::TriggerSnapshot() {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  if (Status sendable = AwaitSendable(ctx, "TriggerSnapshot"); !sendable.ok()) return sendable;
  metasrv::TriggerSnapshotReply reply;
  grpc::Status st = stub_->TriggerSnapshot(&ctx, metasrv::TriggerSnapshotRequest(), &reply);
  if (!st.ok()) return ChangeError(st, "TriggerSnapshot");
  return reply;
}

Result<metasrv::MembershipChangeReply> MetaClient::AddMember(const metasrv::AddMemberRequest& req) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  if (Status sendable = AwaitSendable(ctx, "AddMember"); !sendable.ok()) return sendable;
  metasrv::MembershipChangeReply reply;
  grpc::Status st = stub_->AddMember(&ctx, req, &reply);
  if (!st.ok()) return ChangeError(st, "AddMember");
  return reply;
}

Result<metasrv::MembershipChangeReply> MetaClient::RemoveMember(uint64_t id) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  if (Status sendable = AwaitSendable(ctx, "RemoveMember"); !sendable.ok()) return sendable;
  metasrv::RemoveMemberRequest req;
  req.set_id(id);
  metasrv::MembershipChangeReply reply;
  grpc::Status st = stub_->RemoveMember(&ctx, req, &reply);
  if (!st.ok()) return ChangeError(st, "RemoveMember");
  return reply;
}

Result<metasrv::GetReply> MetaClient::Get(const std::string& key) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  metasrv::GetRequest req;
  req.set_key(key);
  metasrv::GetReply reply;
  grpc::Status st = stub_->Get(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "Get", timeout_);
  return reply;
}

Result<metasrv::UpsertReply> MetaClient::Upsert(const metasrv::UpsertRequest& req) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  if (Status sendable = AwaitSendable(ctx, "Upsert"); !sendable.ok()) return sendable;
  metasrv::UpsertReply reply;
  grpc::Status st = stub_->Upsert(&ctx, req, &reply);
  if (!st.ok()) return ChangeError(st, "Upsert");
  return reply;
}

Status MetaClient::List(const metasrv::ListRequest& req,
                        const std::function<bool(const metasrv::KeyValue&)>& on_kv) {
  grpc::ClientContext ctx;
  RS_RETURN_IF_ERROR(AddToken(ctx));
  auto reader = stub_->List(&ctx, req);
  bool stopped = false;
  {
    Watchdog dog(&ctx, timeout_);
    metasrv::KeyValue kv;
    while (reader->Read(&kv)) {
      dog.Pause();
      if (!on_kv(kv)) {
        stopped = true;
        ctx.TryCancel();
        break;
      }
      dog.Resume();
    }
    if (dog.fired()) {
      reader->Finish();
      return Error(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), "List", timeout_);
    }
  }
  grpc::Status st = reader->Finish();
  if (stopped) return Status::OK();
  if (!st.ok()) return Error(st, "List", timeout_);
  return Status::OK();
}

Status MetaClient::ExportChunks(metasrv::ExportRequest req, const ExportChunkFn& on_chunk,
                                std::optional<uint64_t>* end_lines) {
  grpc::ClientContext ctx;
  const bool want_filtered = req.include_prefixes_size() > 0 || req.exclude_prefixes_size() > 0;
  req.set_as_data(true);
  RS_RETURN_IF_ERROR(AddToken(ctx));
  auto reader = stub_->Export(&ctx, req);
  // A signal unblocks a Read() waiting on a slow server (common/interrupt.h).
  raftstore::CancelOnInterrupt cancel([&ctx] { ctx.TryCancel(); });
  Status failed;
  bool checksums = false;            // the server sent chunk checksums (it honours client_footer)
  std::optional<uint64_t> end;       // its end marker
  {
    Watchdog dog(&ctx, timeout_);
    metasrv::ExportChunk chunk;
    std::string joined;  // a server older than as_data sends lines: joined into data here
    while (failed.ok() && reader->Read(&chunk)) {
      if (want_filtered && !chunk.filtered()) {
        failed = Status::Aborted("the server does not filter its Export by key prefix (a metasrv older "
                                 "than this metactl): nothing was written; "
                                 "upgrade it, or export everything and filter on import "
                                 "(metactl import --include-prefix/--exclude-prefix)");
        break;
      }
      if (end) {
        failed = Status::Corruption("the server sent data after the end of its Export stream: it is broken");
        break;
      }
      if (chunk.end()) {
        end = chunk.total_lines();
        continue;
      }
      checksums = checksums || chunk.has_xxh3();
      std::optional<uint64_t> xxh3;
      if (chunk.has_xxh3()) xxh3 = chunk.xxh3();
      dog.Pause();
      if (chunk.lines_size() > 0) {
        joined.clear();
        for (const auto& line : chunk.lines()) joined.append(line).push_back('\n');
        failed = on_chunk(joined, xxh3);
      } else if (!chunk.data().empty()) {
        failed = on_chunk(*chunk.mutable_data(), xxh3);
      }
      dog.Resume();
    }
    if (!failed.ok()) ctx.TryCancel();
    if (failed.ok() && dog.fired()) {
      reader->Finish();
      return Error(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), "Export", timeout_);
    }
  }
  grpc::Status st = reader->Finish();
  if (!failed.ok()) return failed;
  if (!st.ok()) return Error(st, "Export", timeout_);
  if (checksums && !end) {
    return Status::Corruption("the Export stream ended without its end marker: it was cut short; export again");
  }
  if (end_lines) *end_lines = end;
  return Status::OK();
}

Status MetaClient::Watch(const metasrv::WatchRequest& req,
                         const std::function<bool(const metasrv::WatchEvent&)>& on_event,
                         const std::atomic<bool>& stop) {
  grpc::ClientContext ctx;
  RS_RETURN_IF_ERROR(AddToken(ctx));
  auto reader = stub_->Watch(&ctx, req);
  std::atomic<bool> done{false};
  std::atomic<bool> cancelled{false};
  std::thread poller([&] {
    while (!done.load()) {
      if (stop.load()) {
        cancelled = true;
        ctx.TryCancel();
        return;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
  });
  metasrv::WatchEvent ev;
  bool ended_by_caller = false;
  while (reader->Read(&ev)) {
    if (!on_event(ev)) {
      ended_by_caller = true;
      cancelled = true;
      ctx.TryCancel();
      break;
    }
  }
  done = true;
  poller.join();
  grpc::Status st = reader->Finish();
  if (ended_by_caller || cancelled.load()) return Status::OK();
  if (!st.ok()) return Error(st, "Watch", timeout_);
  return Status::Unavailable("metasrv at " + addr_ +
                             " ended the watch stream (shutting down?): run watch again");
}

Result<metasrv::AuthenticateReply> MetaClient::Authenticate(const std::string& user, const std::string& password) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);  // no token: this is how one is got
  metasrv::AuthenticateRequest req;
  req.set_name(user);
  req.set_password(password);
  metasrv::AuthenticateReply reply;
  grpc::Status st = stub_->Authenticate(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "Authenticate", timeout_);
  return reply;
}

Result<metasrv::AuthStatusReply> MetaClient::AuthStatus() {
  grpc::ClientContext ctx;
  SetDeadline(ctx);  // open to every caller
  metasrv::AuthStatusReply reply;
  grpc::Status st = stub_->AuthStatus(&ctx, metasrv::AuthStatusRequest(), &reply);
  if (!st.ok()) return Error(st, "AuthStatus", timeout_);
  return reply;
}

Result<metasrv::AuthStatusReply> MetaClient::AuthEnable(bool enable) {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  const char* rpc = enable ? "AuthEnable" : "AuthDisable";
  if (Status sendable = AwaitSendable(ctx, rpc); !sendable.ok()) return sendable;
  metasrv::AuthStatusReply reply;
  grpc::Status st = enable ? stub_->AuthEnable(&ctx, metasrv::AuthEnableRequest(), &reply)
                           : stub_->AuthDisable(&ctx, metasrv::AuthDisableRequest(), &reply);
  if (!st.ok()) return ChangeError(st, rpc);
  return reply;
}

Result<metasrv::UserListReply> MetaClient::UserList() {
  grpc::ClientContext ctx;
  if (Status a = Prepare(ctx); !a.ok()) return a;
  metasrv::UserListReply reply;
  grpc::Status st = stub_->UserList(&ctx, metasrv::UserListRequest(), &reply);
  if (!st.ok()) return Error(st, "UserList", timeout_);
  return reply;
}

Status MetaClient::UserAdd(const std::string& name, const std::string& password, const std::string& role) {
  grpc::ClientContext ctx;
  RS_RETURN_IF_ERROR(Prepare(ctx));
  RS_RETURN_IF_ERROR(AwaitSendable(ctx, "UserAdd"));
  metasrv::UserAddRequest req;
  req.set_name(name);
  req.set_password(password);
  req.set_role(role);
  metasrv::UserReply reply;
  grpc::Status st = stub_->UserAdd(&ctx, req, &reply);
  return st.ok() ? Status::OK() : ChangeError(st, "UserAdd");
}

Status MetaClient::UserRemove(const std::string& name) {
  grpc::ClientContext ctx;
  RS_RETURN_IF_ERROR(Prepare(ctx));
  RS_RETURN_IF_ERROR(AwaitSendable(ctx, "UserRemove"));
  metasrv::UserRemoveRequest req;
  req.set_name(name);
  metasrv::UserReply reply;
  grpc::Status st = stub_->UserRemove(&ctx, req, &reply);
  return st.ok() ? Status::OK() : ChangeError(st, "UserRemove");
}

Status MetaClient::UserChangePassword(const std::string& name, const std::string& password) {
  grpc::ClientContext ctx;
  RS_RETURN_IF_ERROR(Prepare(ctx));
  RS_RETURN_IF_ERROR(AwaitSendable(ctx, "UserChangePassword"));
  metasrv::UserChangePasswordRequest req;
  req.set_name(name);
  req.set_password(password);
  metasrv::UserReply reply;
  grpc::Status st = stub_->UserChangePassword(&ctx, req, &reply);
  return st.ok() ? Status::OK() : ChangeError(st, "UserChangePassword");
}

}  // namespace raftstore::client
