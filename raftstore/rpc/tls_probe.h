// Why a connection failed, when TLS is the reason. gRPC reports a failed handshake as a bare
// UNAVAILABLE ("failed to connect to all addresses", or a socket closed) and logs the OpenSSL
// error on its own; a user cannot tell a wrong CA from a server that is down. On a failed
// connection the callers (the client library, the raft transport) make one handshake of their
// own with OpenSSL, with the same files, and read its typed results (X509 verify codes, TLS
// alert codes) instead of gRPC's message text.
#pragma once

#include <chrono>
#include <string>

#include "raftstore/rpc/tls.h"

namespace raftstore::rpc {

// A one-line reason with a hint ("the server's certificate is not signed by a CA in --cacert
// ca.pem: ...") when a TLS handshake with `address` (HOST:PORT) shows what is wrong with TLS
// between this side (`tls`; null: plaintext) and the server; "" when it finds nothing (the
// server is down, or TLS is fine). Blocks for up to about 2 * `timeout`.
std::string DiagnoseTls(const std::string& address, const TlsIdentity* tls,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

// gRPC's own log lines (e.g. a refused handshake) go to spdlog: at their severity (metasrv), or
// all at debug (`debug_only`: metactl, which prints its own one-line error).
void RouteGrpcLogsToSpdlog(bool debug_only);

}  // namespace raftstore::rpc
