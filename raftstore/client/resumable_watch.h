// A watch that survives the end of its stream: given several client addresses, it re-attaches
// to the next one and resumes after the last log index it passed on, as etcdctl watch does
// (docs/metactl-live.md, "watch").
//
// Contract:
//  - The stream starts after the first answering node's applied index (its Status), or after
//    req.start_after_index() when set; with req.initial_flush() the current values come first
//    (first node only).
//  - Every change event is passed to `on_event` once, in log order: when a stream ends (the
//    node stopped or died, or it missed changes), the next address (round robin, the same one
//    again after the others) is asked for the changes after the last index passed on
//    (WatchRequest.start_after_index); the events of that index already passed on are skipped
//    (a node sends one entry's changes in the same order as any other node).
//  - It ends with OK when `stop` becomes true or `on_event` returns false; with an error when
//    the request is invalid, when a stream ends during the initial flush before any change was
//    passed on (the flush may be incomplete), or when no node takes the watch back
//    (2 x the number of addresses attempts in a row that pass nothing on): the message names
//    the index to resume after and each node's answer. With one address it does not re-attach.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "meta.pb.h"
#include "raftstore/common/status.h"

namespace raftstore::client {

raftstore::Status ResumableWatch(const std::vector<std::string>& addrs, std::chrono::milliseconds timeout,
                                 metasrv::WatchRequest req,
                                 const std::function<bool(const metasrv::WatchEvent&)>& on_event,
                                 const std::atomic<bool>& stop);

}  // namespace raftstore::client
