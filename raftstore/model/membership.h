// Membership: {"configs":[[voter ids],...],"nodes":{"id":{},...}}.
// One config is a simple configuration, two a joint one ([old],[new]); ids in `nodes` but in
// no config are learners. `nodes` is kept sorted by id (it is a BTreeMap in databend).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "raftstore/model/log_id.h"

namespace raftstore {

struct Membership {
  std::vector<std::vector<uint64_t>> configs;
  std::vector<uint64_t> nodes;  // ascending, unique

  std::set<uint64_t> Voters() const;
  std::set<uint64_t> Learners() const;
  bool operator==(const Membership&) const = default;
};

// The membership in effect and the log entry that introduced it (null for none).
struct StoredMembership {
  std::optional<LogId> log_id;
  Membership membership;
  bool operator==(const StoredMembership&) const = default;
};

Json ToJson(const Membership& v);
Json ToJson(const StoredMembership& v);
Status FromJson(const Json& j, const std::string& ctx, Membership* out);
Status FromJson(const Json& j, const std::string& ctx, StoredMembership* out);

}  // namespace raftstore
