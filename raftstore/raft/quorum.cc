#include "raftstore/raft/quorum.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace raftstore::raft {

uint64_t MajorityCommitted(const std::set<uint64_t>& voters, const std::map<uint64_t, uint64_t>& acked) {
  if (voters.empty()) return std::numeric_limits<uint64_t>::max();
  std::vector<uint64_t> idx;
  idx.reserve(voters.size());
  for (uint64_t id : voters) {
    auto it = acked.find(id);
    idx.push_back(it == acked.end() ? 0 : it->second);
  }
  std::sort(idx.begin(), idx.end(), std::greater<uint64_t>());
  // With n voters a majority is n/2+1; the (n/2+1)-th largest value is acked by a majority.
  return idx[voters.size() / 2];
}

uint64_t JointCommitted(const std::vector<std::set<uint64_t>>& configs,
                        const std::map<uint64_t, uint64_t>& acked) {
  if (configs.empty()) return 0;
  uint64_t c = std::numeric_limits<uint64_t>::max();
  for (const auto& cfg : configs) c = std::min(c, MajorityCommitted(cfg, acked));
  return c == std::numeric_limits<uint64_t>::max() ? 0 : c;
}

VoteResult MajorityVote(const std::set<uint64_t>& voters, const std::map<uint64_t, bool>& votes) {
  if (voters.empty()) return VoteResult::kWon;
  size_t granted = 0, missing = 0;
  for (uint64_t id : voters) {
    auto it = votes.find(id);
    if (it == votes.end()) {
      ++missing;
    } else if (it->second) {
      ++granted;
    }
  }
  const size_t q = voters.size() / 2 + 1;
  if (granted >= q) return VoteResult::kWon;
  if (granted + missing >= q) return VoteResult::kPending;
  return VoteResult::kLost;
}

VoteResult JointVote(const std::vector<std::set<uint64_t>>& configs, const std::map<uint64_t, bool>& votes) {
  if (configs.empty()) return VoteResult::kLost;
  bool all_won = true;
  for (const auto& cfg : configs) {
    VoteResult r = MajorityVote(cfg, votes);
    if (r == VoteResult::kLost) return VoteResult::kLost;
    if (r != VoteResult::kWon) all_won = false;
  }
  return all_won ? VoteResult::kWon : VoteResult::kPending;
}

}  // namespace raftstore::raft
