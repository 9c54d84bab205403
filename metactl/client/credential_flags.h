// --user NAME and --password-file F, on every subcommand that talks to a live metasrv (the
// client commands, export --grpc-api-address, backup --meta-grpc, user, auth): who metactl logs
// in as when the cluster has auth enabled (docs/auth.md).
//
// Contract:
//  - The user: --user, else the environment variable METACTL_USER. None: no login.
//  - Its password: the first line of --password-file F; else METACTL_PASSWORD; else, when stdin
//    is a terminal, a prompt on it without echo. Never a flag's value (it would show in `ps` and
//    shell history). No source: a usage error naming them.
//  - Once the subcommand is parsed, the credentials go to MetaClient::SetCredentials, which logs
//    in with Authenticate at the first call and again when the token expires.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "raftstore/common/status.h"

namespace metactl::client {

struct CredentialFlags {
  std::string user;
  std::string password_file;

  // Adds the two options to `cmd`, and a callback that passes them on once it is parsed.
  void Add(CLI::App* cmd);
};

// The first line of `path` (without its newline): a password file. Fails naming the file
// when it cannot be read or is empty.
raftstore::Result<std::string> ReadPasswordFile(const std::string& path);
// A password typed on the terminal (stdin) after `prompt` on stderr, without echo; on a
// stdin that is not a terminal, its first line.
raftstore::Result<std::string> ReadPasswordFromStdin(const std::string& prompt);
bool StdinIsTerminal();

}  // namespace metactl::client
