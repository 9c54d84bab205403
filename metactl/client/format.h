// Parsing and printing helpers of the live-cluster subcommands (status, get, upsert, ...).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "meta.pb.h"
#include "raftstore/common/hex.h"
#include "raftstore/common/status.h"

namespace metactl::client {

using Json = nlohmann::ordered_json;  // fields in the order they are set

// "30s", "5m", "1h", "250ms", "2d", or a sum like "1h30m". A unit is required; the result must
// be more than zero.
raftstore::Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// True when `data` is valid UTF-8 without control characters (C0, DEL, C1): safe to print.
bool IsDisplayText(std::string_view data);
using raftstore::HexEncode;  // the one hex encoder (raftstore/common/hex.h)
std::string Base64Encode(std::string_view data);

// "2026-11-21T12:00:00.250Z"
std::string FormatTimeMs(uint64_t unix_ms);

// Text mode: the value as text, or "hex:<hex>" when it is not displayable.
std::string DisplayValue(std::string_view data);

// {"seq":N,"expire_at_ms":N|null,"data":"<base64>","text":"..."|null}
Json SeqVJson(const metasrv::SeqV& v);

// JSON text of one line; invalid UTF-8 in keys is replaced, never thrown on.
std::string DumpJson(const Json& j);

}  // namespace metactl::client
