#include "raftstore/raft/types.h"

#include <cstdio>
#include <cstdlib>

namespace raftstore::raft {

bool MembershipConfig::IsVoter(uint64_t id) const {
  for (const auto& c : configs) {
    if (c.count(id)) return true;
  }
  return false;
}

bool MembershipConfig::IsLearner(uint64_t id) const { return learners.count(id) && !IsVoter(id); }

std::set<uint64_t> MembershipConfig::Voters() const {
  std::set<uint64_t> out;
  for (const auto& c : configs) out.insert(c.begin(), c.end());
  return out;
}

std::set<uint64_t> MembershipConfig::AllNodes() const {
  std::set<uint64_t> out = Voters();
  out.insert(learners.begin(), learners.end());
  return out;
}

namespace {
std::string JoinIds(const std::set<uint64_t>& ids) {
  std::string s;
  for (uint64_t id : ids) {
    if (!s.empty()) s += ",";
    s += std::to_string(id);
  }
  return s;
}
}  // namespace

std::string MembershipConfig::ToString() const {
  std::string s = "[";
  for (size_t i = 0; i < configs.size(); ++i) {
    if (i) s += ",";
    s += "[" + JoinIds(configs[i]) + "]";
  }
  s += "]";
  if (!learners.empty()) s += " learners{" + JoinIds(learners) + "}";
  return s;
}

uint64_t Entry::ByteSize() const {
  uint64_t n = 32 + data.size();
  for (const auto& c : membership.configs) n += 8 * c.size();
  n += 8 * membership.learners.size();
  return n;
}

const char* ToString(MessageType t) {
  switch (t) {
    case MessageType::kAppend: return "Append";
    case MessageType::kAppendResp: return "AppendResp";
    case MessageType::kVote: return "Vote";
    case MessageType::kVoteResp: return "VoteResp";
    case MessageType::kPreVote: return "PreVote";
    case MessageType::kPreVoteResp: return "PreVoteResp";
    case MessageType::kHeartbeat: return "Heartbeat";
    case MessageType::kHeartbeatResp: return "HeartbeatResp";
    case MessageType::kSnapshot: return "Snapshot";
    case MessageType::kTimeoutNow: return "TimeoutNow";
    case MessageType::kReadIndex: return "ReadIndex";
    case MessageType::kReadIndexResp: return "ReadIndexResp";
  }
  return "?";
}

const char* ToString(StateType s) {
  switch (s) {
    case StateType::kFollower: return "Follower";
    case StateType::kPreCandidate: return "PreCandidate";
    case StateType::kCandidate: return "Candidate";
    case StateType::kLeader: return "Leader";
  }
  return "?";
}

const char* ToString(EntryType t) {
  switch (t) {
    case EntryType::kBlank: return "Blank";
    case EntryType::kNormal: return "Normal";
    case EntryType::kMembership: return "Membership";
  }
  return "?";
}

std::string Describe(const Message& m) {
  std::string s = std::string(ToString(m.type)) + " " + std::to_string(m.from) + "->" +
                  std::to_string(m.to) + " t" + std::to_string(m.term) + " i" +
                  std::to_string(m.index) + " lt" + std::to_string(m.log_term) + " c" +
                  std::to_string(m.commit);
  if (m.reject) s += " REJECT hint=" + std::to_string(m.reject_hint);
  if (!m.entries.empty()) {
    s += " ents[" + std::to_string(m.entries.front().index) + ".." +
         std::to_string(m.entries.back().index) + "]";
  }
  if (m.snapshot) {
    s += " snap{i" + std::to_string(m.snapshot->index) + " t" + std::to_string(m.snapshot->term) +
         " " + m.snapshot->membership.ToString() + "}";
  }
  if (!m.context.empty()) s += " ctx=" + m.context;
  if (m.transfer) s += " transfer";
  return s;
}

namespace {
void DefaultFatal(const std::string& message) {
  std::fprintf(stderr, "raft: fatal: %s\n", message.c_str());
  std::abort();
}
FatalHandler g_fatal = &DefaultFatal;
}  // namespace

void SetFatalHandler(FatalHandler h) { g_fatal = h ? h : &DefaultFatal; }

void Fatal(const std::string& message) {
  g_fatal(message);
  std::abort();  // a handler must not return; make sure of it
}

}  // namespace raftstore::raft
