#include "raftstore/http/http_server.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "raftstore/common/endpoint.h"
#include "raftstore/common/file_util.h"

namespace raftstore::http {

using raftstore::Result;
using raftstore::Status;

Result<std::unique_ptr<HttpServer>> HttpServer::Create(HttpServerOptions options) {
  RS_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(options.address,
                                                 FlagValue(options.address_flag, options.address),
                                                 PortZero::kAllow));
  std::unique_ptr<HttpServer> s(new HttpServer(std::move(options)));
  const HttpServerOptions& o = s->options_;
  s->host_ = hp.host.size() > 2 && hp.host.front() == '[' ? hp.host.substr(1, hp.host.size() - 2)
                                                          : hp.host;
  s->port_ = hp.port;
  if (o.cert_file.empty()) {
    if (o.client_cert_auth) {
      return Status::InvalidArgument(o.address_flag + ": client certificate auth needs TLS: "
                                     "give --cert-file and --key-file");
    }
    s->server_ = std::make_unique<httplib::Server>();
  } else {
    auto ssl = std::make_unique<httplib::SSLServer>(
        o.cert_file.c_str(), o.key_file.c_str(),
        o.client_cert_auth ? o.ca_file.c_str() : nullptr);
    if (!ssl->is_valid()) {
      return Status::InvalidArgument(o.address_flag + ": cannot load the TLS files (certificate " +
                                     o.cert_file + ", key " + o.key_file +
                                     (o.client_cert_auth ? ", client CA " + o.ca_file : "") +
                                     "): check that they exist, are PEM, and that the key matches");
    }
    s->server_ = std::move(ssl);
  }
  HttpServer* self = s.get();
  s->server_->set_pre_routing_handler(
      [self](const httplib::Request& req, httplib::Response& res) {
        if (self->Authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("WWW-Authenticate", "Bearer");
        JsonError(res, 401,
                  "this endpoint needs `Authorization: Bearer TOKEN` with the token of the "
                  "server's --http-token-file");
        return httplib::Server::HandlerResponse::Handled;
      });
  return s;
}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Authorized(const httplib::Request& req) const {
  if (options_.token.empty() || options_.public_paths.count(req.path) > 0) return true;
  const std::string header = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (header.size() != prefix.size() + options_.token.size() || header.rfind(prefix, 0) != 0) {
    return false;
  }
  return CRYPTO_memcmp(header.data() + prefix.size(), options_.token.data(),
                       options_.token.size()) == 0;
}

Status HttpServer::Start() {
  const bool bound = port_ == 0 ? (port_ = server_->bind_to_any_port(host_)) > 0
                                : server_->bind_to_port(host_, port_);
  if (!bound) {
    return Status::Unavailable(FlagValue(options_.address_flag, options_.address) +
                               ": cannot listen (the port is in use, or the host is not an "
                               "address of this machine): give another address");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return Status::OK();
}

std::string HttpServer::address() const {
  return options_.address.substr(0, options_.address.rfind(':') + 1) + std::to_string(port_);
}

Result<std::string> ReadTokenFile(const std::string& path) {
  constexpr size_t kMaxTokenBytes = 4096;
  RS_ASSIGN_OR_RETURN(std::string token, ReadPrivateFile("--http-token-file", path, kMaxTokenBytes));
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) return Status::InvalidArgument("--http-token-file " + path + " is empty");
  return token;
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

void JsonError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalidArgument: return 400;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kAlreadyExists:
    case Status::Code::kBusy: return 409;
    case Status::Code::kUnauthenticated: return 401;
    case Status::Code::kPermissionDenied: return 403;
    case Status::Code::kUnavailable: return 503;
    default: return 500;
  }
}

}  // namespace raftstore::http
