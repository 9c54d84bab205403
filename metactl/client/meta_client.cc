#include "metactl/client/meta_client.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

namespace metactl::client {

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

const char* CodeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN_CODE";
  }
}

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

}  // namespace

Status GrpcError(const std::string& addr, const grpc::Status& st, const char* rpc,
                 milliseconds waited, grpc::Channel* channel) {
  const std::string& msg = st.error_message();
  switch (st.error_code()) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::Unavailable("timed out after " + FormatDuration(waited) + " waiting for " +
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
        return Status::Unavailable("cannot reach metasrv at " + addr + ": " + why);
      }
      break;
    }
    default:
      break;
  }
  Status::Code code = Status::Code::kInternal;
  switch (st.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT: code = Status::Code::kInvalidArgument; break;
    case grpc::StatusCode::NOT_FOUND: code = Status::Code::kNotFound; break;
    case grpc::StatusCode::UNAVAILABLE: code = Status::Code::kUnavailable; break;
    case grpc::StatusCode::ABORTED: code = Status::Code::kAborted; break;
    case grpc::StatusCode::ALREADY_EXISTS: code = Status::Code::kAlreadyExists; break;
    default: break;
  }
  std::string text = "metasrv at " + addr + " refused " + rpc + ": " + CodeName(st.error_code()) +
                     (msg.empty() ? "" : ": " + msg);
  switch (code) {
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(text);
    case Status::Code::kNotFound: return Status::NotFound(text);
    case Status::Code::kUnavailable: return Status::Unavailable(text);
    case Status::Code::kAborted: return Status::Aborted(text);
    case Status::Code::kAlreadyExists: return Status::AlreadyExists(text);
    default: return Status::Internal(text);
  }
}

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
  for (const auto& addr : addrs) {
    list += (list.empty() ? "" : ", ") + addr;
    grpc::ChannelArguments args;
    // Large exports and values: the server bounds what it sends.
    args.SetMaxReceiveMessageSize(-1);
    auto channel = grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
    std::unique_ptr<MetaClient> c(new MetaClient(addr, channel, timeout));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + probe);
    metasrv::StatusReply reply;
    grpc::Status st = c->stub_->Status(&ctx, metasrv::StatusRequest(), &reply);
    if (st.ok()) {
      spdlog::debug("using metasrv at {} (node {}, {})", addr, reply.id(), reply.role());
      c->probe_status_ = std::move(reply);
      return c;
    }
    Status err = GrpcError(addr, st, "Status", probe, channel.get());
    spdlog::debug("probe {}: {}", addr, err.message());
    why += (why.empty() ? "" : "; ") + err.message();
  }
  return Status::Unavailable("no metasrv answers at " + list + ": " + why +
                             " (is metasrv running? check --grpc-api-address)");
}

void MetaClient::SetDeadline(grpc::ClientContext& ctx) const {
  ctx.set_deadline(std::chrono::system_clock::now() + timeout_);
}

Status MetaClient::Error(const grpc::Status& st, const char* rpc, milliseconds waited) const {
  return GrpcError(addr_, st, rpc, waited, channel_.get());
}

Result<metasrv::StatusReply> MetaClient::GetStatus() {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::StatusReply reply;
  grpc::Status st = stub_->Status(&ctx, metasrv::StatusRequest(), &reply);
  if (!st.ok()) return Error(st, "Status", timeout_);
  return reply;
}

Result<metasrv::MemberListReply> MetaClient::MemberList() {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::MemberListReply reply;
  grpc::Status st = stub_->MemberList(&ctx, metasrv::MemberListRequest(), &reply);
  if (!st.ok()) return Error(st, "MemberList", timeout_);
  return reply;
}

Result<metasrv::TransferLeaderReply> MetaClient::TransferLeader(uint64_t to) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::TransferLeaderRequest req;
  req.set_to(to);
  metasrv::TransferLeaderReply reply;
  grpc::Status st = stub_->TransferLeader(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "TransferLeader", timeout_);
  return reply;
}

Result<metasrv::TriggerSnapshotReply> MetaClient::TriggerSnapshot() {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::TriggerSnapshotReply reply;
  grpc::Status st = stub_->TriggerSnapshot(&ctx, metasrv::TriggerSnapshotRequest(), &reply);
  if (!st.ok()) return Error(st, "TriggerSnapshot", timeout_);
  return reply;
}

Result<metasrv::MembershipChangeReply> MetaClient::AddMember(const metasrv::AddMemberRequest& req) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::MembershipChangeReply reply;
  grpc::Status st = stub_->AddMember(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "AddMember", timeout_);
  return reply;
}

Result<metasrv::MembershipChangeReply> MetaClient::RemoveMember(uint64_t id) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::RemoveMemberRequest req;
  req.set_id(id);
  metasrv::MembershipChangeReply reply;
  grpc::Status st = stub_->RemoveMember(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "RemoveMember", timeout_);
  return reply;
}

Result<metasrv::GetReply> MetaClient::Get(const std::string& key) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::GetRequest req;
  req.set_key(key);
  metasrv::GetReply reply;
  grpc::Status st = stub_->Get(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "Get", timeout_);
  return reply;
}

Result<metasrv::UpsertReply> MetaClient::Upsert(const metasrv::UpsertRequest& req) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  metasrv::UpsertReply reply;
  grpc::Status st = stub_->Upsert(&ctx, req, &reply);
  if (!st.ok()) return Error(st, "Upsert", timeout_);
  return reply;
}

Status MetaClient::List(const metasrv::ListRequest& req,
                        const std::function<bool(const metasrv::KeyValue&)>& on_kv) {
  grpc::ClientContext ctx;
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

Status MetaClient::Export(uint32_t chunk_size,
                          const std::function<Status(const std::string&)>& on_line) {
  grpc::ClientContext ctx;
  metasrv::ExportRequest req;
  req.set_chunk_size(chunk_size);
  auto reader = stub_->Export(&ctx, req);
  Status failed;
  {
    Watchdog dog(&ctx, timeout_);
    metasrv::ExportChunk chunk;
    while (failed.ok() && reader->Read(&chunk)) {
      dog.Pause();
      for (const auto& line : chunk.lines()) {
        failed = on_line(line);
        if (!failed.ok()) break;
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
  return Status::OK();
}

Status MetaClient::Watch(const metasrv::WatchRequest& req,
                         const std::function<bool(const metasrv::WatchEvent&)>& on_event,
                         const std::atomic<bool>& stop) {
  grpc::ClientContext ctx;
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

}  // namespace metactl::client
