// The prefix filter over generic-kv keys: `--include-prefix P` / `--exclude-prefix P` (issue 11,
// as Weaviate's include/exclude of classes and databend-metactl's tenant filter), to move or
// back up part of the data.
//
// One filter for every place a stream is cut: `metactl export` of a dir, the server's Export
// RPC (so a live export sends only what was asked for), `metactl import`, and the metadata part
// of `backup` and `restore`.
//
// Contract:
//   - A filter keeps everything (empty), or keeps the keys that start with one of its prefixes
//     (include), or the keys that start with none of them (exclude); never both at once, as
//     Weaviate's include/exclude: Make() refuses both lists given, and an empty prefix (it would
//     match every key), with InvalidArgument naming the flag.
//   - Keep() decides generic-kv records (KvRec) by their key and expire-index records (ExpireRec)
//     by the key they point to, so the index follows its keys. Every other record is kept: the
//     header, the raft state (node id, vote, committed, purged, the raft log), sequences, last
//     applied, membership and nodes. A filtered stream still describes a whole raft node, and
//     the footer its writer adds covers exactly the lines kept.
//   - Prefixes are compared bytewise, without trimming or normalising.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/export_format/record.h"

namespace raftstore {

class KeyFilter {
 public:
  enum class Mode { kAll, kInclude, kExclude };

  KeyFilter() = default;  // keeps everything

  // The filter of `--include-prefix` values `include` and `--exclude-prefix` values `exclude`
  // (either may be empty; not both non-empty).
  static Result<KeyFilter> Make(std::vector<std::string> include, std::vector<std::string> exclude);

  bool empty() const { return mode_ == Mode::kAll; }
  Mode mode() const { return mode_; }
  const std::vector<std::string>& prefixes() const { return prefixes_; }

  bool KeepKey(std::string_view key) const;
  bool Keep(const Record& record) const;

  // The flags that make this filter, for summary lines and messages: "--include-prefix a/
  // --include-prefix b/"; a prefix with a space, a quote or a non-printable byte is shown as a
  // JSON string. "" for the empty filter.
  std::string Describe() const;

 private:
  Mode mode_ = Mode::kAll;
  std::vector<std::string> prefixes_;
};

}  // namespace raftstore
