// Keys of an import that a metasrv with the default limits (model/limits.h) would refuse to
// write: a key longer than --max-key-bytes (4096) or a value larger than --max-value-bytes.
// The import takes them: a databend export may hold them, and the server still reads, lists and
// deletes such keys. But a client could not write them again, so `metactl import` warns,
// naming each (up to kListed of them, in constant memory; then how many more).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/export_format/record.h"

namespace raftstore::transfer {

class OversizeKeys {
 public:
  static constexpr size_t kListed = 20;

  // Looks at one record, read from `line` of the stream (only key-value records count).
  void Note(const Record& rec, uint64_t line);

  // Empty when every key fits; else a line saying what the limits are and why it matters, one
  // line per key ("<source>: line N: key \"...\" is B bytes"), the key shown up to 64 bytes, and
  // one counting those not listed.
  std::vector<std::string> Warnings(const std::string& source) const;

  // Logs Warnings() as warnings.
  void Warn(const std::string& source) const;

 private:
  std::vector<std::string> listed_;  // "line N: ..." of the first kListed
  uint64_t count_ = 0;
};

}  // namespace raftstore::transfer
