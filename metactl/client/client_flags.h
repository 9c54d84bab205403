// Options every live-cluster subcommand takes: --grpc-api-address (repeatable), --timeout, --json,
// and the login (credential_flags.h): --user, --password-file; and the TLS flags --cacert,
// --cert, --key-file (AddTlsFlags: every subcommand that talks to a server, including export
// --grpc-api-address and backup, declares them with that one call).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "metactl/client/credential_flags.h"
#include "raftstore/client/meta_client.h"
#include "raftstore/client/retry.h"
#include "raftstore/common/status.h"

namespace metactl::client {

// The live commands use the client library's names unqualified.
using raftstore::client::FormatDuration;
using raftstore::client::kDefaultAddress;
using raftstore::client::kDefaultTimeoutSec;
using raftstore::client::kProbeTimeout;
using raftstore::client::CallWithRetry;
using raftstore::client::MetaClient;

struct ClientFlags {
  std::vector<std::string> addrs;  // empty: kDefaultAddress
  int timeout_sec = kDefaultTimeoutSec;
  bool json = false;
  CredentialFlags login;

  // Adds --grpc-api-address, --timeout, --user, --password-file; and --json unless `with_json` is false.
  void Add(CLI::App* cmd, bool with_json = true);
  // The retry policy (raftstore/client/retry.h) over these addresses, within --timeout.
  raftstore::client::RetryOptions Retry() const;
};

// Declares --cacert, --cert, --key-file on `cmd` (help group "TLS"; etcdctl's names, but the key
// is --key-file: --key names the key of get, upsert, delete and watch). Empty flags
// fall back to METACTL_CACERT, METACTL_CERT, METACTL_KEY (a flag wins). All subcommands share
// one set of values: a process runs one subcommand.
void AddTlsFlags(CLI::App* cmd);

// After parsing: when the subcommand run (`app`'s parsed one, at any depth) declared the TLS
// flags and any is set, reads and checks the files (an expired certificate too) and makes every
// channel to the client API use them (raftstore/rpc/tls.h). InvalidArgument naming the flag (or
// variable) and the file; OK and plaintext when none is set.
raftstore::Status ApplyTlsFlags(const CLI::App& app);

// Logs `st` on stderr (one line) and returns the exit code 1.
int Fail(const raftstore::Status& st);
// Logs a usage error on stderr and returns the exit code 2.
int UsageError(const std::string& message);

}  // namespace metactl::client
