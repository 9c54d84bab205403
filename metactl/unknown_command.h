// "unknown command 'put'; did you mean 'upsert'?": a mistyped subcommand is named, with the
// nearest real one, before CLI11 parses (CLI11 alone says only "A subcommand is required" or
// "The following arguments were not expected").
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace metactl {

// The first argument of argv[1..] that is neither an option of `app` itself nor an option's
// value must be one of app's subcommands. Returns the usage message (the caller prints it and
// exits 2) when it is not, "" otherwise (also when there is no such argument: CLI11 reports
// that). Options are recognised from `app`, so options added later need no change here.
std::string UnknownCommandMessage(const CLI::App& app, int argc, const char* const* argv);

// The name in `names` nearest to `word`: a known synonym from other tools (etcdctl's `put`,
// `del`, ...), else a name `word` is a prefix of, else the nearest by edit distance when that
// distance is at most a third of the word's length (at least 1). "" when none is near.
std::string SuggestCommand(const std::string& word, const std::vector<std::string>& names);

}  // namespace metactl
