// Key-value state: SeqV (a key's value), its meta, and the expire index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "raftstore/model/log_id.h"

namespace raftstore {

// {"expire_at":N?,"proposed_at_ms":N?}: only fields that are set are printed ({} when none).
// expire_at is in seconds since the epoch, or in milliseconds when above kMsThreshold
// (databend's convention); ExpireAtMs() normalises.
struct KvMeta {
  std::optional<uint64_t> expire_at;
  std::optional<uint64_t> proposed_at_ms;
  bool operator==(const KvMeta&) const = default;
};

inline constexpr uint64_t kExpireAtMsThreshold = 100'000'000'000ULL;
// Milliseconds since the epoch for an expire_at value given in seconds or milliseconds.
inline uint64_t ExpireAtToMs(uint64_t expire_at) {
  return expire_at > kExpireAtMsThreshold ? expire_at : expire_at * 1000;
}
// The expiry (ms since the epoch) of a value written at `now_ms` with a time to live of `ttl_ms`.
// Saturates at 2^64-1, a time that never comes: now + ttl must never wrap around to a time in
// the past (a ttl of 2^64-1 expiring a few seconds after the write). The one place this sum is
// computed.
inline uint64_t ExpireMsAfter(uint64_t now_ms, uint64_t ttl_ms) {
  return ttl_ms > UINT64_MAX - now_ms ? UINT64_MAX : now_ms + ttl_ms;
}

// {"seq":N,"meta":{..}|null,"data":[bytes]}
struct SeqV {
  uint64_t seq = 0;
  std::optional<KvMeta> meta;  // null: the key never had meta
  std::string data;            // raw bytes
  bool operator==(const SeqV&) const = default;
  // Expiry in ms since the epoch, if any.
  std::optional<uint64_t> ExpireMs() const {
    if (meta && meta->expire_at) return ExpireAtToMs(*meta->expire_at);
    return std::nullopt;
  }
};

// Expire index key {"time_ms":T,"seq":S}; orders by (time_ms, seq).
struct ExpireKey {
  uint64_t time_ms = 0;
  uint64_t seq = 0;
  bool operator==(const ExpireKey&) const = default;
};

// Expire index value {"seq":S,"key":K}. (Old versions lack seq; it decodes as 1.)
struct ExpireValue {
  uint64_t seq = 1;
  std::string key;
  bool operator==(const ExpireValue&) const = default;
};

Json ToJson(const KvMeta& v);
Json ToJson(const SeqV& v);
Json ToJson(const ExpireKey& v);
Json ToJson(const ExpireValue& v);
Status FromJson(const Json& j, const std::string& ctx, KvMeta* out);
Status FromJson(const Json& j, const std::string& ctx, SeqV* out);
Status FromJson(const Json& j, const std::string& ctx, ExpireKey* out);
Status FromJson(const Json& j, const std::string& ctx, ExpireValue* out);

}  // namespace raftstore
