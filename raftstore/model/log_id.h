// LeaderId, LogId and Vote: the raft identifiers of DESIGN.md's data model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "raftstore/model/json_util.h"

namespace raftstore {

// The leader that proposed an entry: {"term":T,"node_id":N}.
struct LeaderId {
  uint64_t term = 0;
  uint64_t node_id = 0;
  bool operator==(const LeaderId&) const = default;
};

// {"leader_id":{...},"index":I}. Log ids order by (term, index); node_id is informational.
struct LogId {
  LeaderId leader_id;
  uint64_t index = 0;
  bool operator==(const LogId&) const = default;
};

// {"leader_id":{...},"committed":bool}: the vote a node granted (committed = the leader of
// that term is known to have been elected by a quorum).
struct Vote {
  LeaderId leader_id;
  bool committed = false;
  bool operator==(const Vote&) const = default;
};

Json ToJson(const LeaderId& v);
Json ToJson(const LogId& v);
Json ToJson(const Vote& v);
Status FromJson(const Json& j, const std::string& ctx, LeaderId* out);
Status FromJson(const Json& j, const std::string& ctx, LogId* out);
Status FromJson(const Json& j, const std::string& ctx, Vote* out);

// null <-> std::nullopt for any type with ToJson/FromJson.
template <typename T>
Json ToJson(const std::optional<T>& v) {
  return v ? ToJson(*v) : Json(nullptr);
}
template <typename T>
Status FromJson(const Json& j, const std::string& ctx, std::optional<T>* out) {
  if (j.is_null()) { out->reset(); return Status::OK(); }
  T v;
  RS_RETURN_IF_ERROR(FromJson(j, ctx, &v));
  *out = std::move(v);
  return Status::OK();
}

}  // namespace raftstore
