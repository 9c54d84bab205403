// A raft log entry: {"log_id":{..},"payload":"Blank"|{"Membership":{..}}|{"Normal":{..}}}.
#pragma once

#include <cstdint>
#include <variant>

#include "raftstore/model/cmd.h"
#include "raftstore/model/membership.h"

namespace raftstore {

struct BlankPayload {
  bool operator==(const BlankPayload&) const = default;
};

// {"time_ms":T,"cmd":{..}}. Older versions print "txid":null first; it is accepted and dropped
// (databend itself no longer prints it).
struct NormalPayload {
  uint64_t time_ms = 0;
  Cmd cmd;
  bool operator==(const NormalPayload&) const = default;
};

using Payload = std::variant<BlankPayload, Membership, NormalPayload>;

struct LogEntry {
  LogId log_id;
  Payload payload;
  bool operator==(const LogEntry&) const = default;
};

Json ToJson(const Payload& v);
Json ToJson(const LogEntry& v);
Status FromJson(const Json& j, const std::string& ctx, Payload* out);
Status FromJson(const Json& j, const std::string& ctx, LogEntry* out);

}  // namespace raftstore
