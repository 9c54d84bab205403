#include "raftstore/rpc/tls.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "raftstore/common/file_util.h"

namespace raftstore::rpc {

namespace {

namespace fs = std::filesystem;

std::mutex copies_mu;
std::vector<std::string>& CopyDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}
using grpc::experimental::FileWatcherCertificateProvider;
using grpc::experimental::StaticDataCertificateProvider;

// gRPC looks at the staged copies this often (its minimum); see Reload() in tls.h.
constexpr unsigned kRefreshSeconds = 1;

std::string Named(const char* flag, const std::string& path) { return std::string(flag) + " " + path; }

Result<std::string> ReadPem(const char* flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(Named(flag, path) + ": cannot read: " + ErrnoText(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::InvalidArgument(Named(flag, path) + ": cannot read: " + ErrnoText(errno));
  return ss.str();
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::unique_ptr<BIO, BioDeleter> MemBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioDeleter>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate in `pem`, in order.
std::vector<X509Ptr> ParseCerts(const std::string& pem) {
  std::vector<X509Ptr> out;
  auto bio = MemBio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the end of the input reads as an error
  return out;
}

std::string Asn1Time(const ASN1_TIME* t) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), t);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// Empty when `cert` is valid now, else what is wrong ("expired on ...").
std::string Validity(X509* cert) {
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    return "the certificate expired on " + Asn1Time(X509_get0_notAfter(cert));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    return "the certificate is not valid before " + Asn1Time(X509_get0_notBefore(cert));
  }
  return "";
}

// Checks the certificate and key PEM (of flags.cert, flags.key) and that they belong together.
Status CheckPair(const TlsFiles& f, const TlsFlagNames& flags, const TlsMaterial& m, std::string* validity) {
  std::vector<X509Ptr> certs = ParseCerts(m.cert_pem);
  if (certs.empty()) return Status::InvalidArgument(Named(flags.cert, f.cert_file) + ": no PEM certificate in it");
  auto kbio = MemBio(m.key_pem);
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (!key) {
    return Status::InvalidArgument(Named(flags.key, f.key_file) +
                                   ": no PEM private key in it (an encrypted key is not supported)");
  }
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument(Named(flags.key, f.key_file) + " is not the key of " +
                                   Named(flags.cert, f.cert_file) + ": give the key made with that certificate");
  }
  if (std::string v = Validity(certs.front().get()); !v.empty()) *validity = Named(flags.cert, f.cert_file) + ": " + v;
  return Status::OK();
}

}  // namespace

Result<TlsMaterial> LoadTlsFiles(const TlsFiles& f, const TlsFlagNames& flags, bool expired_is_error,
                                 std::string* validity_warning) {
  TlsMaterial m;
  if (f.cert_file.empty() != f.key_file.empty()) {
    return Status::InvalidArgument(std::string(flags.cert) + " and " + flags.key +
                                   " go together: give both (a certificate and its key) or neither");
  }
  if (!f.cert_file.empty()) {
    RS_ASSIGN_OR_RETURN(m.cert_pem, ReadPem(flags.cert, f.cert_file));
    RS_ASSIGN_OR_RETURN(m.key_pem, ReadPem(flags.key, f.key_file));
    std::string validity;
    RS_RETURN_IF_ERROR(CheckPair(f, flags, m, &validity));
    if (!validity.empty() && expired_is_error) return Status::InvalidArgument(validity + ": renew it");
    if (validity_warning != nullptr) *validity_warning = validity;
  }
  if (!f.ca_file.empty()) {
    RS_ASSIGN_OR_RETURN(m.ca_pem, ReadPem(flags.ca, f.ca_file));
    if (ParseCerts(m.ca_pem).empty()) {
      return Status::InvalidArgument(Named(flags.ca, f.ca_file) + ": no PEM certificate in it");
    }
  }
  return m;
}

Result<std::shared_ptr<TlsIdentity>> TlsIdentity::Open(const TlsFiles& files, const TlsFlagNames& flags) {
  std::string warning;
  RS_ASSIGN_OR_RETURN(TlsMaterial m, LoadTlsFiles(files, flags, /*expired_is_error=*/false, &warning));
  if (!warning.empty()) spdlog::warn("{}: handshakes will fail until it is replaced (then send SIGHUP)", warning);
  std::shared_ptr<TlsIdentity> id(new TlsIdentity(files, flags));
  std::error_code ec;
  fs::path tmp = fs::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  std::string tmpl = (tmp / "metasrv-tls-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {  // mode 0700
    return Status::IOError("create a private directory for the TLS key material (" + tmpl + "): " + ErrnoText(errno) +
                           "; set TMPDIR to a writable directory");
  }
  id->runtime_dir_ = tmpl;
  {
    std::lock_guard<std::mutex> lock(copies_mu);
    CopyDirs().push_back(tmpl);
  }
  RS_RETURN_IF_ERROR(id->Stage(m));
  const std::string cur = id->runtime_dir_ + "/current/";
  id->provider_ = std::make_shared<FileWatcherCertificateProvider>(
      m.key_pem.empty() ? "" : cur + "key.pem", m.cert_pem.empty() ? "" : cur + "cert.pem",
      m.ca_pem.empty() ? "" : cur + "ca.pem", kRefreshSeconds);
  id->material_ = std::move(m);
  return id;
}

std::shared_ptr<TlsIdentity> TlsIdentity::Static(TlsMaterial m, const TlsFiles& files, const TlsFlagNames& flags) {
  std::shared_ptr<TlsIdentity> id(new TlsIdentity(files, flags));
  std::vector<grpc::experimental::IdentityKeyCertPair> pairs;
  if (!m.cert_pem.empty()) pairs.push_back({m.key_pem, m.cert_pem});
  if (!m.ca_pem.empty() && !pairs.empty()) {
    id->provider_ = std::make_shared<StaticDataCertificateProvider>(m.ca_pem, pairs);
  } else if (!m.ca_pem.empty()) {
    id->provider_ = std::make_shared<StaticDataCertificateProvider>(m.ca_pem);
  } else if (!pairs.empty()) {
    id->provider_ = std::make_shared<StaticDataCertificateProvider>(pairs);
  }
  id->material_ = std::move(m);
  return id;
}

TlsIdentity::~TlsIdentity() {
  provider_.reset();
  if (!runtime_dir_.empty()) (void)RemoveAll(runtime_dir_);
}

Status TlsIdentity::Stage(const TlsMaterial& m) {
  const std::string gen = runtime_dir_ + "/gen-" + std::to_string(++generation_);
  if (::mkdir(gen.c_str(), 0700) != 0) return Status::IOError("create " + gen + ": " + ErrnoText(errno));
  for (const auto& [name, pem] : {std::pair<const char*, const std::string&>{"cert.pem", m.cert_pem},
                                  {"key.pem", m.key_pem},
                                  {"ca.pem", m.ca_pem}}) {
    if (pem.empty()) continue;
    const std::string path = gen + "/" + name;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IOError("create " + path + ": " + ErrnoText(errno));
    const bool ok = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size());
    ::close(fd);
    if (!ok) return Status::IOError("write " + path + ": " + ErrnoText(errno));
  }
  // The swap: a new symlink renamed over "current" (rename(2) replaces it atomically).
  const std::string link = runtime_dir_ + "/current.new";
  ::unlink(link.c_str());
  if (::symlink(gen.c_str(), link.c_str()) != 0) return Status::IOError("symlink " + link + ": " + ErrnoText(errno));
  RS_RETURN_IF_ERROR(RenamePath(link, runtime_dir_ + "/current"));
  if (generation_ > 2) (void)RemoveAll(runtime_dir_ + "/gen-" + std::to_string(generation_ - 2));
  return Status::OK();
}

Status TlsIdentity::Reload() {
  if (runtime_dir_.empty()) return Status::OK();
  std::string warning;
  RS_ASSIGN_OR_RETURN(TlsMaterial m, LoadTlsFiles(files_, flags_, /*expired_is_error=*/false, &warning));
  // The same kinds of files as at start: the credentials watch a fixed set of names.
  const TlsMaterial old = material();
  if (m.cert_pem.empty() != old.cert_pem.empty() || m.ca_pem.empty() != old.ca_pem.empty()) {
    return Status::InvalidArgument("the TLS files changed kind since start; restart to change what is configured");
  }
  if (!warning.empty()) spdlog::warn("{}: handshakes will fail until it is replaced", warning);
  std::lock_guard<std::mutex> lock(mu_);
  RS_RETURN_IF_ERROR(Stage(m));
  material_ = std::move(m);
  return Status::OK();
}

TlsMaterial TlsIdentity::material() const {
  std::lock_guard<std::mutex> lock(mu_);
  return material_;
}

std::shared_ptr<grpc::ServerCredentials> TlsIdentity::ServerCredentials(bool require_client_cert) const {
  // Which kinds of files there are never changes (Reload() refuses that); read under the lock.
  const TlsMaterial m = material();
  grpc::experimental::TlsServerCredentialsOptions o(provider_);
  o.watch_identity_key_cert_pairs();
  if (!m.ca_pem.empty()) o.watch_root_certs();
  o.set_cert_request_type(require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                              : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  return grpc::experimental::TlsServerCredentials(o);
}

std::shared_ptr<grpc::ChannelCredentials> TlsIdentity::ChannelCredentials() const {
  const TlsMaterial m = material();
  grpc::experimental::TlsChannelCredentialsOptions o;
  if (provider_) o.set_certificate_provider(provider_);
  if (!m.ca_pem.empty()) o.watch_root_certs();  // else the system's CA bundle
  if (!m.cert_pem.empty()) o.watch_identity_key_cert_pairs();
  o.set_verify_server_certs(true);
  o.set_certificate_verifier(std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(o);
}

namespace {
std::mutex planes_mu;
std::array<std::shared_ptr<TlsIdentity>, 2> planes;
}  // namespace

void RemoveTlsCopies() {
  std::lock_guard<std::mutex> lock(copies_mu);
  for (const std::string& dir : CopyDirs()) (void)RemoveAll(dir);
  CopyDirs().clear();
}

void SetPlaneTls(Plane plane, std::shared_ptr<TlsIdentity> identity) {
  std::lock_guard<std::mutex> lock(planes_mu);
  planes[static_cast<size_t>(plane)] = std::move(identity);
}

std::shared_ptr<TlsIdentity> PlaneTls(Plane plane) {
  std::lock_guard<std::mutex> lock(planes_mu);
  return planes[static_cast<size_t>(plane)];
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(Plane plane) {
  std::shared_ptr<TlsIdentity> id = PlaneTls(plane);
  return id ? id->ChannelCredentials() : grpc::InsecureChannelCredentials();
}

}  // namespace raftstore::rpc
