#include "raftstore/storage/keys.h"

namespace raftstore::keys {

void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

uint64_t ReadBigEndian64(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string LogKey(uint64_t index) {
  std::string k(1, kPrefixLog);
  AppendBigEndian64(&k, index);
  return k;
}

std::string SequenceKey(std::string_view name) { return std::string(1, kPrefixSequence) + std::string(name); }

std::string NodeKey(uint64_t node_id) {
  std::string k(1, kPrefixNode);
  AppendBigEndian64(&k, node_id);
  return k;
}

std::string ExpireKey(uint64_t time_ms, uint64_t seq) {
  std::string k(1, kPrefixExpire);
  AppendBigEndian64(&k, time_ms);
  AppendBigEndian64(&k, seq);
  return k;
}

std::string KvKey(std::string_view key) { return std::string(1, kPrefixKv) + std::string(key); }

}  // namespace raftstore::keys
