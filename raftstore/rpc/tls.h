// TLS for metasrv's two ports and for every channel toward them (docs/security.md).
//
// Off unless files are given. A TlsIdentity is one set of PEM files (certificate, key, CA
// bundle) as named by one set of flags:
//   metasrv client API  --cert-file --key-file --trusted-ca-file [--client-cert-auth]
//   metasrv peer port   --peer-cert-file --peer-key-file --peer-trusted-ca-file (always mutual)
//   metactl             --cert --key-file --cacert
// Open() reads and checks the files (readable, PEM, key matching the certificate, the CA
// bundle parses); every error names the flag and the file, so a process refuses to start
// instead of failing its first handshake.
//
// Rotation without restart (metasrv, SIGHUP -> Reload()): gRPC reads the key material from a
// private copy (a 0700 temp dir, removed with the identity) through its
// FileWatcherCertificateProvider, which looks at those copies every second. Reload() re-reads
// the user's files, checks them as Open() does, writes them to a new generation directory and
// swaps the "current" symlink to it in one rename: gRPC sees the old set or the new one, never
// a certificate with another key, and the user's files are read only on Open() and SIGHUP (a
// half-copied certificate is never picked up by itself). A failed Reload() keeps the old set.
// New handshakes use the new set within about a second; connections already open keep theirs.
//
// Channels: ChannelCredentialsFor(plane) is what rpc::NewChannel (channel.h) uses; each
// process sets it once at start, before making channels (SetPlaneTls), plaintext by default.
// The server's name is checked: the host of the address dialed (a name or an IP) must be in
// the certificate's subject alternative names.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>

#include "raftstore/common/status.h"

namespace raftstore::rpc {

// The flags that name a TlsIdentity's files, for messages.
struct TlsFlagNames {
  const char* cert;
  const char* key;
  const char* ca;
};
inline constexpr TlsFlagNames kClientApiFlags{"--cert-file", "--key-file", "--trusted-ca-file"};
inline constexpr TlsFlagNames kPeerFlags{"--peer-cert-file", "--peer-key-file", "--peer-trusted-ca-file"};
inline constexpr TlsFlagNames kMetactlFlags{"--cert", "--key-file", "--cacert"};

struct TlsFiles {
  std::string cert_file;  // PEM certificate (chain); with key_file or not at all
  std::string key_file;   // PEM private key of cert_file
  std::string ca_file;    // PEM CA bundle that signs the other side's certificates
  bool empty() const { return cert_file.empty() && key_file.empty() && ca_file.empty(); }
};

// The PEM text of a TlsFiles, checked.
struct TlsMaterial {
  std::string cert_pem, key_pem, ca_pem;
};

// Reads `files` and checks them: cert and key given together, each file readable and PEM, the
// key the certificate's, the CA bundle holding at least one certificate. InvalidArgument naming
// the flag and the file. `expired_is_error`: a certificate outside its validity period is an
// error too (metactl); otherwise (metasrv, which a SIGHUP can fix) the caller gets it in
// *validity_warning (empty when valid).
Result<TlsMaterial> LoadTlsFiles(const TlsFiles& files, const TlsFlagNames& flags, bool expired_is_error,
                                 std::string* validity_warning = nullptr);

class TlsIdentity {
 public:
  // Loads `files` (LoadTlsFiles; a validity warning is logged) and stages the private copy.
  static Result<std::shared_ptr<TlsIdentity>> Open(const TlsFiles& files, const TlsFlagNames& flags);
  // Fixed material read from `files` (metactl: a one-shot client, nothing to rotate).
  static std::shared_ptr<TlsIdentity> Static(TlsMaterial material, const TlsFiles& files, const TlsFlagNames& flags);
  ~TlsIdentity();
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;

  // Re-reads the files given to Open() (see the top of this file). On error the current set
  // stays in use and the Status names the file.
  Status Reload();

  // A server port with this certificate; `require_client_cert`: the client must present a
  // certificate signed by the CA bundle (the handshake fails otherwise).
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials(bool require_client_cert) const;
  // A channel that verifies the server against the CA bundle (and its name) and presents this
  // certificate when one is given.
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;

  TlsMaterial material() const;
  const TlsFlagNames& flags() const { return flags_; }
  const TlsFiles& files() const { return files_; }

 private:
  TlsIdentity(TlsFiles files, const TlsFlagNames& flags) : files_(std::move(files)), flags_(flags) {}
  Status Stage(const TlsMaterial& m);  // writes generation N+1 and swaps "current" to it

  TlsFiles files_;
  TlsFlagNames flags_;
  mutable std::mutex mu_;
  TlsMaterial material_;
  std::string runtime_dir_;  // empty for Static()
  uint64_t generation_ = 0;
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider_;
};

// Which port a channel goes to: a member's client API (metactl, --join, forwarded writes) or
// its peer (raft) port (raft messages, snapshots).
enum class Plane { kClientApi, kPeer };

// Sets the identity used for channels toward `plane` (null: plaintext). Call at start, before
// any channel is made; not for changing later (Reload() the identity instead).
void SetPlaneTls(Plane plane, std::shared_ptr<TlsIdentity> identity);
// Removes the private copies of every TlsIdentity::Open() (normally removed with the identity),
// for a process that ends without running destructors (std::_Exit). A kill -9 leaves them: a
// 0700 dir metasrv-tls-* under $TMPDIR (docs/security.md).
void RemoveTlsCopies();

// The identity set for `plane`, or null (plaintext).
std::shared_ptr<TlsIdentity> PlaneTls(Plane plane);
// The credentials NewChannel uses toward `plane`.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(Plane plane);

}  // namespace raftstore::rpc
