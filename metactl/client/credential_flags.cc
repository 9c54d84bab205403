#include "metactl/client/credential_flags.h"

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "raftstore/client/meta_client.h"

namespace metactl::client {

namespace {

// The first subcommand that logs in wins (`members --user u add` parses both levels).
bool g_applied = false;

raftstore::Status Apply(const CredentialFlags& f) {
  if (f.user.empty() || g_applied) return raftstore::Status::OK();
  std::string password;
  if (!f.password_file.empty()) {
    RS_ASSIGN_OR_RETURN(password, ReadPasswordFile(f.password_file));
  } else if (const char* env = std::getenv("METACTL_PASSWORD"); env != nullptr && *env != '\0') {
    password = env;
  } else if (StdinIsTerminal()) {
    RS_ASSIGN_OR_RETURN(password, ReadPasswordFromStdin("password of user " + f.user + ": "));
  } else {
    return raftstore::Status::InvalidArgument("--user " + f.user +
                                              ": no password: give --password-file FILE or set METACTL_PASSWORD");
  }
  g_applied = true;
  raftstore::client::MetaClient::SetCredentials(f.user, std::move(password));
  return raftstore::Status::OK();
}

}  // namespace

void CredentialFlags::Add(CLI::App* cmd) {
  cmd->add_option("--user", user, "log in as this user when the cluster has auth enabled (env METACTL_USER)")
      ->envname("METACTL_USER");
  cmd->add_option("--password-file", password_file,
                  "file whose first line is the --user's password (else env METACTL_PASSWORD, else a prompt)");
  cmd->callback([this] {
    if (raftstore::Status st = Apply(*this); !st.ok()) throw CLI::ValidationError(st.message());
  });
}

raftstore::Result<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return raftstore::Status::IOError("cannot read password file " + path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return raftstore::Status::InvalidArgument("password file " + path + " has an empty first line");
  return line;
}

bool StdinIsTerminal() { return isatty(STDIN_FILENO) == 1; }

raftstore::Result<std::string> ReadPasswordFromStdin(const std::string& prompt) {
  const bool tty = StdinIsTerminal();
  termios saved{};
  if (tty) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << std::endl;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!got || line.empty()) return raftstore::Status::InvalidArgument("no password given on stdin");
  return line;
}

}  // namespace metactl::client
