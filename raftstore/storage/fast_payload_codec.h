// A DOM-free fast path of the raft entry payload codec (EncodeNormal/DecodeNormal,
// entry_codec.h) for the payload of nearly every entry: a client's UpsertKV, in the compact
// form EncodeNormal writes:
//   {"time_ms":T,"cmd":{"UpsertKV":{"key":K,"seq":S,"value":V,"value_meta":M}}}
// with S one of "Any", {"Exact":N}, {"GE":N}; V one of {"Update":[b,...]}, "Delete", "AsIs";
// M one of null, {"expire_at":N|null}, {"expire_at":N|null,"ttl":{"millis":N}}.
//
// Why: every node decodes every entry's payload when it applies it, and the leader encodes it
// when it proposes. With a value's bytes as a JSON array, nlohmann's DOM spends a heap node on
// each byte: the decode was 8% of a follower's CPU under write load. The format stays JSON:
// the payload is what `metactl export` writes into a LogEntry line, and what older nodes and
// databend read.
//
// Contract, as fast_line_codec.h's (checked by tests/raftstore/storage/fast_payload_codec_test.cc,
// which runs both paths on generated and mutated payloads):
//   - TryDecodeFastNormal(data, &p) returns true only when DecodeNormal's DOM path accepts
//     `data` and gives the same NormalPayload. For anything else (another command, another
//     field order, "txid", whitespace, an escape, a number that is not a plain unsigned
//     integer, an error) it returns false, and the DOM path decides: every error message a
//     user sees is the DOM's. *out is then unspecified.
//   - TryEncodeFastNormal(p, &data) returns true only when it wrote exactly what the DOM
//     encoder writes for `p` (same bytes); false for anything else, e.g. a key that needs a
//     JSON escape (*data is then unspecified).
#pragma once

#include <string>
#include <string_view>

#include "raftstore/model/log_entry.h"

namespace raftstore {

bool TryDecodeFastNormal(std::string_view data, NormalPayload* out);

bool TryEncodeFastNormal(const NormalPayload& p, std::string* data);

}  // namespace raftstore
