// WatchHub: fans out applied key changes to watchers, in commit order.
//
// Each watcher has its own bounded queue. Publish() never blocks the raft thread: a watcher
// whose queue is full is marked overflowed and gets no further events (its stream ends with
// an error telling the client to watch again), so one slow client cannot stall the node.
//
// History, for resuming a watch (a client that lost its stream on another node): the hub keeps
// the most recent changes it published (up to history_bytes of keys and values), and knows the
// index after which it holds every change (its floor: the applied index when the node opened
// or installed a snapshot, raised as old changes are dropped). Resume(range, after) queues the
// kept changes of entries after `after` before any live one, under the same lock as Publish,
// so none is lost or given twice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/sm/state_machine.h"

namespace raftstore::node {

struct WatchEventData {
  std::string key;
  std::optional<SeqV> prev;
  std::optional<SeqV> current;
  uint64_t log_index = 0;
};

// Keys in [begin, end); an empty `end` with `single_key` means exactly `begin`.
struct KeyRange {
  std::string begin;
  std::string end;
  bool single_key = false;
  bool Contains(const std::string& key) const;
  static KeyRange Prefix(const std::string& prefix);
};

class Watcher {
 public:
  Watcher(KeyRange range, size_t capacity) : range_(std::move(range)), capacity_(capacity) {}
  const KeyRange& range() const { return range_; }
  // Waits up to `timeout` for an event. Returns nullopt on timeout; *overflowed tells why the
  // queue stopped (then the watcher must end).
  std::optional<WatchEventData> Pop(std::chrono::milliseconds timeout, bool* overflowed);
  void Push(WatchEventData e);  // called by the hub
  void MarkMissed();             // called by the hub: changes were missed; the watcher must end

 private:
  KeyRange range_;
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEventData> queue_;
  bool overflowed_ = false;
};

class WatchHub {
 public:
  explicit WatchHub(size_t history_bytes = kDefaultHistoryBytes) : history_bytes_(history_bytes) {}
  static constexpr size_t kDefaultHistoryBytes = 32u << 20;

  std::shared_ptr<Watcher> Subscribe(KeyRange range, size_t capacity = 100000);
  // Subscribes with the kept changes of entries after log index `after` queued first. Refused
  // (Aborted, naming the floor) when this node does not hold every change after `after`.
  Result<std::shared_ptr<Watcher>> Resume(KeyRange range, uint64_t after, size_t capacity = 100000);
  void Unsubscribe(const std::shared_ptr<Watcher>& w);
  void Publish(const std::vector<KvChange>& changes, uint64_t log_index);
  // The state machine is at `applied` with no history (the node opened): the floor.
  void ResetHistory(uint64_t applied);
  // The state machine was replaced (a snapshot at `applied` was installed): every watcher missed
  // changes and ends as an overflowed one does (clients watch again with an initial flush, or
  // resume on another node); the history starts again at `applied`.
  void MissAll(uint64_t applied);
  size_t size();

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<Watcher>> watchers_;
  size_t history_bytes_;
  std::deque<WatchEventData> history_;
  size_t history_size_ = 0;  // bytes of keys and values in history_
  uint64_t floor_ = 0;       // every change of an entry after floor_ is in history_
};

}  // namespace raftstore::node
