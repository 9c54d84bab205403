// metasrv's listening: the client API server and the peer (raft) server, bound BEFORE the raft
// dir is opened, so that
//  - a port in use (or an address not of this machine) is a one-line error naming the address
//    and its flag, and the raft dir is left as it was (not even created);
//  - port 0 ("any free port") works: the node is opened with the addresses really bound, so
//    what it records and advertises (its Nodes record, the join request, the Status reply) is
//    the port it got.
// The services are registered before the node exists; calls wait for it (node_slot.h).
//
// Port 0 is only for a fresh raft dir (missing or empty: --single bootstrap or --join). A dir
// that already holds a node (restarted, or seeded by `metactl import --initial-cluster`) is
// known to its cluster by the addresses recorded in it; a new random port would make the node
// unreachable, so CheckPortZero refuses it.
//
// TLS (docs/security.md): the client API server uses ServerTls::client_api (requiring a client
// certificate with --client-cert-auth), the peer server ServerTls::peer, always requiring one;
// a shared port has one setting (config.h: CheckTlsFlags). Null: plaintext.
//
// Once serving, metasrv prints ReadyLine() on stdout and, with --address-file, writes the same
// addresses to that file (WriteAddressFile), atomically: whoever waits for the file reads the
// whole of it or nothing.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "raftstore/common/status.h"
#include "raftstore/rpc/tls.h"
#include "raftstore/server/config.h"
#include "raftstore/server/raft_peer_service.h"

namespace raftstore::server {

// metasrv's exit code when it cannot listen on an address (in use, not of this machine): a
// caller that chose the port may pick another and retry, without reading the message.
constexpr int kExitCannotListen = 3;

// InvalidArgument when --grpc-api-address or --raft-address has port 0 and the raft dir was not
// fresh (IsMissingOrEmptyDir before anything opened it; see above).
Status CheckPortZero(const ServerConfig& cfg, bool fresh_dir);

struct ServerTls {
  std::shared_ptr<rpc::TlsIdentity> client_api;  // null: plaintext
  bool client_cert_auth = false;
  std::shared_ptr<rpc::TlsIdentity> peer;  // null: plaintext
};

class Servers {
 public:
  // Binds and starts both servers (one when the two addresses are the same and not port 0).
  // On failure nothing listens and the error (Unavailable) names the address and its flag.
  Status Start(const ServerConfig& cfg, grpc::Service* client_service, RaftPeerService* raft_peer_service,
               const ServerTls& tls = {});

  // The addresses listened on: as configured, with port 0 replaced by the port bound.
  const std::string& grpc_api_address() const { return grpc_api_address_; }
  const std::string& raft_address() const { return raft_address_; }

  // Lets calls in flight finish for up to `client_grace`, then ends the peers' raft streams
  // (which live as long as their senders) and stops the peer server (1 s for the rest: a
  // snapshot being received). On a shared port the raft streams are the client server's calls
  // too: they are ended before the grace, and during it each new one carries one batch.
  void Shutdown(std::chrono::seconds client_grace);

 private:
  RaftPeerService* peer_service_ = nullptr;
  std::unique_ptr<grpc::Server> client_;
  std::unique_ptr<grpc::Server> raft_;  // null when shared with client_
  std::string grpc_api_address_;
  std::string raft_address_;
};

// "metasrv node 1 ready: grpc-api-address 127.0.0.1:40117 raft-address 127.0.0.1:40118"
std::string ReadyLine(uint64_t id, const std::string& grpc_api_address, const std::string& raft_address);

// Writes "grpc_api_address=HOST:PORT\nraft_address=HOST:PORT\n" to `path` (stage-then-rename,
// common/file_util.h; addresses are no secret). Errors name the file.
// `admin_address` ("" when --admin-address is not given) adds a line admin_address=HOST:PORT.
Status WriteAddressFile(const std::string& path, const std::string& grpc_api_address, const std::string& raft_address,
                        const std::string& admin_address = "");

}  // namespace raftstore::server
