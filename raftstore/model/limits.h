// What one client request may hold: the defaults of metasrv's limits (docs/metasrv.md). They are
// written once, here, because two layers need them: the server takes its Limits
// (server/client_api_codec.h) and its flags' defaults from them, and `metactl import`
// (transfer/oversize_keys.h) warns of imported keys that a server with these defaults would
// refuse to write.
#pragma once

#include <cstdint>

namespace raftstore {

// --max-key-bytes: the longest key a write may create.
inline constexpr uint64_t kDefaultMaxKeyBytes = 4096;
// --max-value-bytes: the largest value a write may store.
inline constexpr uint64_t kDefaultMaxValueBytes = 1 << 20;
// --max-txn-ops: the most conditions, and the most operations in each branch, of a transaction
// (etcd's --max-txn-ops, same default and the same counting).
inline constexpr uint64_t kDefaultMaxTxnOps = 128;
// --max-request-bytes: the largest write request (etcd's --max-request-bytes, 1.5 MiB).
inline constexpr uint64_t kDefaultMaxRequestBytes = 3 << 19;

// The longest time to live a client may ask for (not a setting): 9,000,000,000 seconds, etcd's
// MaxLeaseTTL (about 285 years). Longer TTLs are refused; the state machine saturates anyway
// (ExpireMsAfter in kv.h), so an entry that holds one never wraps to an early expiry.
inline constexpr uint64_t kMaxTtlMs = 9'000'000'000'000ULL;

}  // namespace raftstore
