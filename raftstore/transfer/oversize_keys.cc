#include "raftstore/transfer/oversize_keys.h"

#include <spdlog/spdlog.h>

#include "raftstore/model/limits.h"

namespace raftstore::transfer {

namespace {

std::string Shown(const std::string& key) {
  constexpr size_t kShown = 64;
  return "\"" + (key.size() <= kShown ? key : key.substr(0, kShown) + "...") + "\"";
}

}  // namespace

void OversizeKeys::Note(const Record& rec, uint64_t line) {
  const auto* kv = std::get_if<KvRec>(&rec.body);
  if (kv == nullptr) return;
  std::string what;
  if (kv->key.size() > kDefaultMaxKeyBytes) {
    what = "key " + Shown(kv->key) + " is " + std::to_string(kv->key.size()) + " bytes (--max-key-bytes)";
  } else if (kv->value.data.size() > kDefaultMaxValueBytes) {
    what = "the value of key " + Shown(kv->key) + " is " + std::to_string(kv->value.data.size()) +
           " bytes (--max-value-bytes)";
  } else {
    return;
  }
  ++count_;
  if (listed_.size() < kListed) listed_.push_back("line " + std::to_string(line) + ": " + what);
}

std::vector<std::string> OversizeKeys::Warnings(const std::string& source) const {
  if (count_ == 0) return {};
  std::vector<std::string> out;
  out.push_back(source + ": " + std::to_string(count_) + (count_ == 1 ? " key exceeds" : " keys exceed") +
                " the limits metasrv puts on client writes by default (--max-key-bytes " +
                std::to_string(kDefaultMaxKeyBytes) + ", --max-value-bytes " + std::to_string(kDefaultMaxValueBytes) +
                "); imported anyway, and the server reads and deletes them, but clients can write them again "
                "only if the server runs with larger limits:");
  for (const std::string& l : listed_) out.push_back(source + ": " + l);
  if (count_ > listed_.size()) {
    out.push_back(source + ": ... and " + std::to_string(count_ - listed_.size()) + " more such keys");
  }
  return out;
}

void OversizeKeys::Warn(const std::string& source) const {
  for (const std::string& w : Warnings(source)) spdlog::warn("{}", w);
}

}  // namespace raftstore::transfer
