#include "raftstore/rpc/tls_probe.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>

#include <grpc/support/log.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include "raftstore/common/endpoint.h"

namespace raftstore::rpc {

namespace {

// A TCP connection to hp with send/receive timeouts; -1 when none can be made.
int Dial(const HostPort& hp, std::chrono::milliseconds timeout) {
  std::string host = hp.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(hp.port).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  timeval tv{};
  tv.tv_sec = timeout.count() / 1000;
  tv.tv_usec = (timeout.count() % 1000) * 1000;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() too
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  return fd;
}

struct CtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};

// This side's certificate, key and CA bundle in `ctx` (the PEM was checked by LoadTlsFiles).
void UseMaterial(SSL_CTX* ctx, const TlsMaterial& m) {
  if (!m.ca_pem.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(m.ca_pem.data(), static_cast<int>(m.ca_pem.size())),
                                                  &BIO_free);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store, x);
      X509_free(x);
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx);
  }
  if (!m.cert_pem.empty()) {
    std::unique_ptr<BIO, decltype(&BIO_free)> cb(BIO_new_mem_buf(m.cert_pem.data(), static_cast<int>(m.cert_pem.size())),
                                                 &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new_mem_buf(m.key_pem.data(), static_cast<int>(m.key_pem.size())),
                                                 &BIO_free);
    X509* cert = PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr);
    if (cert != nullptr) SSL_CTX_use_certificate(ctx, cert);
    if (key != nullptr) SSL_CTX_use_PrivateKey(ctx, key);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
}

std::string Flag(const char* flag, const std::string& file) {
  return file.empty() ? std::string(flag) : std::string(flag) + " " + file;
}

// The server's certificate failed this side's check (an X509_V_ERR_* code).
std::string ServerCertProblem(long v, const std::string& host, const TlsIdentity& tls) {
  const std::string ca = Flag(tls.flags().ca, tls.files().ca_file);
  switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "the server's certificate has expired: renew it on the server (then SIGHUP the server)";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "the server's certificate is not valid yet (check the clocks)";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "the server's certificate is not for " + host +
             ": dial a name the certificate has (its subjectAltName), or give the server a certificate for " + host;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "the server's certificate is not signed by a CA in " + ca + ": give the CA that signed it";
    default:
      return std::string("the server's certificate does not verify (") + X509_verify_cert_error_string(v) + ")";
  }
}

// The server refused this side's certificate, or the lack of one (a TLS alert it sent).
std::string ClientCertProblem(int reason, const TlsIdentity* tls) {
  const char* cert = tls != nullptr ? tls->flags().cert : "--cert";
  const char* key = tls != nullptr ? tls->flags().key : "--key-file";
  if (tls == nullptr || tls->material().cert_pem.empty()) {
    return std::string("the server requires a client certificate: give ") + cert + " and " + key;
  }
  const std::string mine = Flag(cert, tls->files().cert_file);
  if (reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED) return "the server refused " + mine + ": it has expired";
  const char* alert = reason > 0 ? ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reason)) : nullptr;
  return "the server refused " + mine + (alert != nullptr ? std::string(" (") + alert + ")" : "") +
         " after the handshake: it must be signed by the CA the server trusts (its --trusted-ca-file)";
}

bool IsAlert(int reason) {
  return reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED || reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
         reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED ||
         reason == SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE || reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE ||
         reason == SSL_R_TLSV1_ALERT_DECRYPT_ERROR || reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN ||
         reason == SSL_R_TLSV1_ALERT_ACCESS_DENIED;
}

// After the handshake a TLS 1.3 server checks the client's certificate; gRPC's server then
// closes the connection when it refuses it (an alert, or none: an EOF). One that accepted it
// answers the HTTP/2 preface sent here with its SETTINGS. Returns kRefusedWithoutAlert for an
// EOF, the alert's reason code for an alert, 0 when the server answered.
constexpr int kRefusedWithoutAlert = -1;
int RefusalAfterHandshake(SSL* ssl) {
  static const char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0";
  ERR_clear_error();
  if (SSL_write(ssl, kPreface, sizeof kPreface - 1) <= 0) return ERR_GET_REASON(ERR_peek_last_error());
  char byte;
  const int n = SSL_read(ssl, &byte, 1);
  if (n > 0) return 0;
  const int err = SSL_get_error(ssl, n);
  const int reason = ERR_GET_REASON(ERR_peek_last_error());
  if (err == SSL_ERROR_ZERO_RETURN || reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) return kRefusedWithoutAlert;
  return reason;  // an alert, or 0 (e.g. the read timed out: nothing to say)
}

}  // namespace

std::string DiagnoseTls(const std::string& address, const TlsIdentity* tls, std::chrono::milliseconds timeout) {
  auto hp = ParseHostPort(address, address);
  if (!hp.ok()) return "";
  const int fd = Dial(*hp, timeout);
  if (fd < 0) return "";
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
  std::unique_ptr<SSL, SslDeleter> ssl;
  std::string host = hp->host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (tls != nullptr) UseMaterial(ctx.get(), tls->material());
  ssl.reset(SSL_new(ctx.get()));
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_set_alpn_protos(ssl.get(), kAlpn, sizeof kAlpn);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
  if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  }
  SSL_set_fd(ssl.get(), fd);
  ERR_clear_error();
  const int rc = SSL_connect(ssl.get());
  const int reason = rc == 1 ? RefusalAfterHandshake(ssl.get()) : ERR_GET_REASON(ERR_peek_last_error());
  const long verify = SSL_get_verify_result(ssl.get());
  ssl.reset();
  close(fd);
  ERR_clear_error();
  const char* ca_flag = tls != nullptr ? tls->flags().ca : "--cacert";
  if (tls == nullptr) {
    // A plaintext client: only "the server speaks TLS" is to be found.
    if (rc == 1 || IsAlert(reason)) {
      return std::string("the server speaks TLS and this client does not: give ") + ca_flag +
             " (and a client certificate if the server asks for one)";
    }
    return "";
  }
  if (rc != 1 && verify != X509_V_OK) return ServerCertProblem(verify, host, *tls);
  if (IsAlert(reason) || (rc == 1 && reason == kRefusedWithoutAlert)) return ClientCertProblem(reason, tls);
  if (rc != 1) {
    return std::string("the server did not answer the TLS handshake (a plaintext port?): use TLS on both sides or on "
                       "neither (without ") + ca_flag + ")";
  }
  return "";
}

namespace {
bool grpc_logs_debug_only = false;

void GrpcLogToSpdlog(gpr_log_func_args* args) {
  if (grpc_logs_debug_only) {
    spdlog::debug("grpc: {}", args->message);
  } else if (args->severity == GPR_LOG_SEVERITY_ERROR) {
    spdlog::error("grpc: {}", args->message);
  } else if (args->severity == GPR_LOG_SEVERITY_INFO) {
    spdlog::info("grpc: {}", args->message);
  } else {
    spdlog::debug("grpc: {}", args->message);
  }
}
}  // namespace

void RouteGrpcLogsToSpdlog(bool debug_only) {
  grpc_logs_debug_only = debug_only;
  gpr_set_log_function(GrpcLogToSpdlog);
}

}  // namespace raftstore::rpc
