// Quorum arithmetic for simple and joint configurations (thesis §4.3: during joint consensus
// "agreement (for elections and entry commitment) requires separate majorities from both the
// old and new configurations").
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <vector>

namespace raftstore::raft {

enum class VoteResult { kPending, kLost, kWon };

// Largest index acknowledged by a majority of `voters` (acked: id -> index; missing = 0).
// An empty voter set imposes no constraint and returns UINT64_MAX.
uint64_t MajorityCommitted(const std::set<uint64_t>& voters, const std::map<uint64_t, uint64_t>& acked);
// Min over the configs; 0 when there are no configs at all.
uint64_t JointCommitted(const std::vector<std::set<uint64_t>>& configs,
                        const std::map<uint64_t, uint64_t>& acked);

// votes: id -> granted. Ids not in the map have not answered. Empty voter set = won.
VoteResult MajorityVote(const std::set<uint64_t>& voters, const std::map<uint64_t, bool>& votes);
// Lost if any config lost; won if all won; else pending. No configs at all = lost.
VoteResult JointVote(const std::vector<std::set<uint64_t>>& configs, const std::map<uint64_t, bool>& votes);

}  // namespace raftstore::raft
