#include "raftstore/export_format/key_filter.h"

#include <nlohmann/json.hpp>

namespace raftstore {

namespace {

// A prefix is shown bare when a shell would take it back unchanged; else as a JSON string.
std::string Shown(const std::string& prefix) {
  for (unsigned char c : prefix) {
    if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\') return nlohmann::json(prefix).dump();
  }
  return prefix;
}

}  // namespace

Result<KeyFilter> KeyFilter::Make(std::vector<std::string> include, std::vector<std::string> exclude) {
  if (!include.empty() && !exclude.empty()) {
    return Status::InvalidArgument(
        "--include-prefix and --exclude-prefix cannot be combined: give the prefixes to keep, or "
        "the prefixes to leave out");
  }
  KeyFilter f;
  if (include.empty() && exclude.empty()) return f;
  f.mode_ = include.empty() ? Mode::kExclude : Mode::kInclude;
  f.prefixes_ = include.empty() ? std::move(exclude) : std::move(include);
  for (const std::string& p : f.prefixes_) {
    if (p.empty()) {
      return Status::InvalidArgument(std::string(f.mode_ == Mode::kInclude ? "--include-prefix" : "--exclude-prefix") +
                                     " \"\": an empty prefix matches every key; give a non-empty prefix");
    }
  }
  return f;
}

bool KeyFilter::KeepKey(std::string_view key) const {
  if (mode_ == Mode::kAll) return true;
  bool matched = false;
  for (const std::string& p : prefixes_) {
    if (key.substr(0, p.size()) == p) {
      matched = true;
      break;
    }
  }
  return matched == (mode_ == Mode::kInclude);
}

bool KeyFilter::Keep(const Record& record) const {
  if (const auto* kv = std::get_if<KvRec>(&record.body)) return KeepKey(kv->key);
  if (const auto* e = std::get_if<ExpireRec>(&record.body)) return KeepKey(e->value.key);
  return true;
}

std::string KeyFilter::Describe() const {
  if (mode_ == Mode::kAll) return "";
  const char* flag = mode_ == Mode::kInclude ? "--include-prefix " : "--exclude-prefix ";
  std::string out;
  for (const std::string& p : prefixes_) {
    if (!out.empty()) out += ' ';
    out += flag + Shown(p);
  }
  return out;
}

}  // namespace raftstore
