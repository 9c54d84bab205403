#include "raftstore/server/listen.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

#include "raftstore/common/endpoint.h"
#include "raftstore/common/file_util.h"
#include "raftstore/node/snapshot_sender.h"

namespace raftstore::server {

namespace {

Status CannotListen(const std::string& address, const char* flag, const std::string& why) {
  return Status::Unavailable("cannot listen on " + address + " (" + flag + "): " + why + "; choose another " + flag);
}

// Binds (and at once closes) a socket on every address `hp` resolves to, as gRPC will, so that
// an address in use is reported here in one line instead of by gRPC's core logging. gRPC
// binding the port afterwards is still the real test (another process may take it between).
Status ProbeBind(const HostPort& hp, const std::string& address, const char* flag) {
  std::string host = hp.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(hp.port).c_str(), &hints, &res); rc != 0) {
    return CannotListen(address, flag, std::string("cannot resolve host: ") + gai_strerror(rc));
  }
  Status st;
  for (addrinfo* ai = res; ai != nullptr && st.ok(); ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as gRPC: TIME_WAIT is no conflict
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      const int err = errno;
      st = CannotListen(address, flag,
                        err == EADDRINUSE      ? std::string("the port is in use")
                        : err == EADDRNOTAVAIL ? std::string("not an address of this machine")
                                               : ErrnoText(err));
    }
    close(fd);
  }
  freeaddrinfo(res);
  return st;
}

// The peer server pings its callers (a snapshot stream from a leader that died without a TCP
// reset then ends within ~20 s and frees the receiving slot) and accepts the pings of the
// leaders' snapshot senders (same interval).
void AllowPeerKeepalive(grpc::ServerBuilder* b) {
  b->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, node::kPeerKeepaliveMs);
  b->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, node::kPeerKeepaliveMs);
  b->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  b->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
}

// The synchronous server runs each call on a thread of its own until it replies (a write waits
// for its commit). gRPC keeps at most 2 idle threads by default: with many concurrent writes,
// threads were created and exited for nearly every call (pthread_create and clone in a perf
// profile of a 3-node leader at 64 clients; 20-40% more writes/s with this many kept). Idle
// threads cost a stack each and nothing else.
constexpr int kMaxIdleServerThreads = 64;

// A server listening on `address` only: gRPC sets SO_REUSEPORT by default, and a second metasrv
// on the same port would then share it (the kernel splitting connections between the two)
// instead of failing to start.
std::unique_ptr<grpc::ServerBuilder> ListenOn(const std::string& address, int* bound_port,
                                              const std::shared_ptr<rpc::TlsIdentity>& tls, bool require_client_cert) {
  auto b = std::make_unique<grpc::ServerBuilder>();
  b->AddListeningPort(address, tls ? tls->ServerCredentials(require_client_cert) : grpc::InsecureServerCredentials(),
                      bound_port);
  b->AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  b->SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdleServerThreads);
  return b;
}

// Checks `address` (already validated by config.cc) and, unless its port is 0, probes it.
Result<HostPort> Probe(const std::string& address, const char* flag) {
  RS_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(address, FlagValue(flag, address), PortZero::kAllow));
  if (hp.port != 0) RS_RETURN_IF_ERROR(ProbeBind(hp, address, flag));
  return hp;
}

}  // namespace

Status CheckPortZero(const ServerConfig& cfg, bool fresh_dir) {
  for (const auto& [flag, address] : {std::pair<const char*, const std::string&>{"--grpc-api-address", cfg.grpc_api_address},
                                      {"--raft-address", cfg.raft_address}}) {
    auto hp = ParseHostPort(address, FlagValue(flag, address), PortZero::kAllow);
    if (!hp.ok() || hp->port != 0 || fresh_dir) continue;
    return Status::InvalidArgument(FlagValue(flag, address) + ": port 0 (any free port) is only for a fresh raft dir; " +
                                   cfg.raft_dir +
                                   " already holds a node, which its cluster knows by the addresses recorded in it: "
                                   "give this node's address (`metactl status` or the dir's Nodes record shows it)");
  }
  return Status::OK();
}

Status Servers::Start(const ServerConfig& cfg, grpc::Service* client_service, RaftPeerService* raft_peer_service,
                      const ServerTls& tls) {
  peer_service_ = raft_peer_service;
  RS_ASSIGN_OR_RETURN(HostPort grpc_hp, Probe(cfg.grpc_api_address, "--grpc-api-address"));
  // A raft batch holds up to 8 MiB of entries plus one message, whose entries may hold a value
  // of max_value_bytes.
  const int raft_max_message = static_cast<int>(
      std::min<uint64_t>((64ULL << 20) + cfg.max_value_bytes, static_cast<uint64_t>(std::numeric_limits<int>::max())));
  // A client request a little over --max-request-bytes is still read, so that MetaService
  // refuses it with a message naming the flag; one far larger (beyond this margin, etcd's
  // too) gRPC refuses before reading it whole, with RESOURCE_EXHAUSTED.
  constexpr uint64_t kClientMessageMargin = 512 << 10;
  const int client_max_message = static_cast<int>(std::min<uint64_t>(
      cfg.max_request_bytes + kClientMessageMargin, static_cast<uint64_t>(std::numeric_limits<int>::max())));
  // Port 0 twice means two free ports, not one server.
  const bool shared = cfg.SharedPort();
  HostPort raft_hp = grpc_hp;
  if (!shared) {
    RS_ASSIGN_OR_RETURN(raft_hp, Probe(cfg.raft_address, "--raft-address"));
  }

  int port = 0;
  // A shared port: CheckTlsFlags made the two settings one (mutual when TLS is on).
  auto b = ListenOn(cfg.grpc_api_address, &port, tls.client_api, tls.client_cert_auth);
  b->SetMaxReceiveMessageSize(shared ? std::max(raft_max_message, client_max_message) : client_max_message);
  b->RegisterService(client_service);
  if (shared) {
    AllowPeerKeepalive(b.get());
    b->RegisterService(raft_peer_service);
  }
  client_ = b->BuildAndStart();
  if (!client_ || port == 0) {
    return CannotListen(cfg.grpc_api_address, "--grpc-api-address", "gRPC could not bind it");
  }
  grpc_hp.port = static_cast<uint16_t>(port);
  grpc_api_address_ = grpc_hp.ToString();
  if (shared) {
    raft_address_ = grpc_api_address_;
    return Status::OK();
  }
  int raft_port = 0;
  auto rb = ListenOn(cfg.raft_address, &raft_port, tls.peer, /*require_client_cert=*/true);
  rb->SetMaxReceiveMessageSize(raft_max_message);
  AllowPeerKeepalive(rb.get());
  rb->RegisterService(raft_peer_service);
  raft_ = rb->BuildAndStart();
  if (!raft_ || raft_port == 0) {
    client_->Shutdown(std::chrono::system_clock::now());
    client_.reset();
    return CannotListen(cfg.raft_address, "--raft-address", "gRPC could not bind it");
  }
  raft_hp.port = static_cast<uint16_t>(raft_port);
  raft_address_ = raft_hp.ToString();
  return Status::OK();
}

void Servers::Shutdown(std::chrono::seconds client_grace) {
  // On a shared port the raft streams are calls of client_: ended first (raft traffic goes on,
  // a batch per stream) so that they do not hold its Shutdown for the whole grace.
  if (peer_service_ && !raft_) peer_service_->EndStreams(/*refuse_new=*/false);
  if (client_) client_->Shutdown(std::chrono::system_clock::now() + client_grace);
  if (peer_service_) peer_service_->EndStreams(/*refuse_new=*/true);
  if (raft_) raft_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

std::string ReadyLine(uint64_t id, const std::string& grpc_api_address, const std::string& raft_address) {
  return "metasrv node " + std::to_string(id) + " ready: grpc-api-address " + grpc_api_address + " raft-address " +
         raft_address;
}

Status WriteAddressFile(const std::string& path, const std::string& grpc_api_address, const std::string& raft_address,
                        const std::string& admin_address) {
  StageOptions so;
  so.create_hint = "(--address-file: is its directory there and writable?)";
  std::string text = "grpc_api_address=" + grpc_api_address + "\nraft_address=" + raft_address + "\n";
  if (!admin_address.empty()) text += "admin_address=" + admin_address + "\n";
  Status st = WriteFileStaged(path, text, so);
  return st.ok() ? st : st.WithContext("--address-file " + path);
}

}  // namespace raftstore::server
