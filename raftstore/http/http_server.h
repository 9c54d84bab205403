// The HTTP endpoint of metasrv (--admin-address) and of the backup agent (--http-address):
// cpp-httplib (Debian's libcpp-httplib-dev) behind the checks both need.
//
// Contract:
//  - Start() binds before it returns, so a port in use is an error naming the flag and the
//    address (Unavailable), and port 0 gets a free port (port()). Requests are served on
//    httplib's thread pool until Stop() (idempotent; the destructor calls it).
//  - TLS when cert_file is given (the same files as the gRPC flags); with client_cert_auth a
//    client must present a certificate signed by ca_file, else the handshake fails.
//  - Auth when a token is set (--http-token-file): every path but the public ones (/healthz
//    and /metrics, which scrapers and probes call without secrets) needs
//    `Authorization: Bearer TOKEN`; otherwise 401 with a JSON error, and no handler runs. The
//    comparison takes the same time whatever the token sent.
//  - Handlers answer JSON errors through JsonError, so every error body has the same shape:
//    {"error": "..."}.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <thread>

#include <httplib.h>

#include "raftstore/common/status.h"

namespace raftstore::http {

struct HttpServerOptions {
  std::string address;          // HOST:PORT to listen on (port 0: any free port)
  std::string address_flag;     // "--admin-address": names the setting in messages
  std::string cert_file, key_file, ca_file;  // TLS: off unless cert_file is set
  bool client_cert_auth = false;
  std::string token;            // "": no token needed
  std::set<std::string> public_paths = {"/healthz", "/metrics"};
};

class HttpServer {
 public:
  // Checks the address and loads the TLS files; InvalidArgument naming the flag on a bad one.
  static Result<std::unique_ptr<HttpServer>> Create(HttpServerOptions options);
  ~HttpServer();

  // Register handlers here before Start().
  httplib::Server& routes() { return *server_; }

  Status Start();
  void Stop();

  int port() const { return port_; }
  // The address as given, with the port it got (port 0 given: the free port picked).
  std::string address() const;
  std::string scheme() const { return options_.cert_file.empty() ? "http" : "https"; }

 private:
  explicit HttpServer(HttpServerOptions options) : options_(std::move(options)) {}
  bool Authorized(const httplib::Request& req) const;

  HttpServerOptions options_;
  std::string host_;
  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  std::thread thread_;
};

// The bearer token in `path` (--http-token-file): ReadPrivateFile's checks (a regular file, mode
// 0600, at most 4 KiB), trailing newlines dropped; InvalidArgument naming the file when empty.
Result<std::string> ReadTokenFile(const std::string& path);

// Sets `status` and the body {"error": message} (application/json).
void JsonError(httplib::Response& res, int status, const std::string& message);

// An HTTP status for a Status value: 400 InvalidArgument, 404 NotFound, 409 AlreadyExists and
// FailedPrecondition, 401 Unauthenticated, 503 Unavailable, 500 otherwise.
int HttpStatusFor(const Status& st);

}  // namespace raftstore::http
