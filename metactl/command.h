// One class per metactl subcommand (in the manner of RocksDB's `ldb`).
//
// Contract: Register() adds the subcommand, its options and its help text to the CLI11 app;
// Run() is called only when that subcommand was selected, after parsing succeeded, and returns
// the process exit code: 0 success, 1 failure, 2 usage error. Errors are printed on stderr by
// Run() itself (one line saying what failed, where, and what to do); data goes to stdout or a
// named file, never mixed with logs.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace metactl {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand to `app`; keeps the returned CLI::App* to know if it was selected.
  virtual CLI::App* Register(CLI::App& app) = 0;
  virtual int Run() = 0;
};

// Every subcommand of metactl, in the order `metactl --help` lists them.
std::vector<std::unique_ptr<Command>> AllCommands();

// Exit codes (DESIGN.md conventions).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

}  // namespace metactl
