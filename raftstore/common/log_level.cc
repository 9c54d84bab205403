#include "raftstore/common/log_level.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace raftstore {

namespace {

struct Name {
  const char* name;
  spdlog::level::level_enum level;
};

// LogLevelNames() lists each level once; "warning" is an alias of warn.
constexpr Name kNames[] = {
    {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},   {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},   {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
};

}  // namespace

std::string LogLevelNames() { return "trace, debug, info, warn, error"; }

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const Name& n : kNames) {
    if (lower == n.name) return n.level;
  }
  return Status::InvalidArgument("unknown log level \"" + std::string(text) + "\": expected one of " +
                                 LogLevelNames() + " (any case; warning is warn)");
}

CLI::Option* AddLogLevelFlag(CLI::App* app, std::string* level) {
  CLI::Validator check(
      [](std::string& value) -> std::string {
        auto parsed = ParseLogLevel(value);
        return parsed.ok() ? std::string() : parsed.status().message();
      },
      "", "LEVEL");
  return app->add_option("--log-level", *level, "log level: " + LogLevelNames() + " (any case)")
      ->check(check)
      ->capture_default_str();
}

}  // namespace raftstore
