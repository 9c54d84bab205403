#include "tests/linearizability/checker.h"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_set>

#include "tests/linearizability/register_model.h"

namespace linearizability {

namespace {

// The history as a doubly linked list of call and return events in time order (Lowe's
// formulation): linearizing an operation lifts its two events out of the list; backtracking
// puts them back in place.
struct Event {
  bool is_call = false;
  size_t op = 0;       // index into the ops
  Event* match = nullptr;  // the call's return (and back)
  Event* prev = nullptr;
  Event* next = nullptr;
};

class EventList {
 public:
  explicit EventList(const std::vector<Operation>& ops) : events_(2 * ops.size()) {
    struct Point {
      int64_t t;
      bool is_call;
      size_t op;
    };
    std::vector<Point> points;
    for (size_t i = 0; i < ops.size(); ++i) {
      points.push_back({ops[i].call_ns, true, i});
      points.push_back({ops[i].known ? ops[i].return_ns : std::numeric_limits<int64_t>::max(), false, i});
    }
    // At equal times a call comes before a return: the two operations count as concurrent,
    // the reading that admits more orders (a tie is no evidence of precedence).
    std::stable_sort(points.begin(), points.end(), [](const Point& a, const Point& b) {
      return a.t != b.t ? a.t < b.t : (a.is_call && !b.is_call);
    });
    std::vector<Event*> call_of(ops.size()), return_of(ops.size());
    Event* prev = &head_;
    for (size_t i = 0; i < points.size(); ++i) {
      Event* e = &events_[i];
      e->is_call = points[i].is_call;
      e->op = points[i].op;
      (e->is_call ? call_of : return_of)[e->op] = e;
      e->prev = prev;
      prev->next = e;
      prev = e;
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      call_of[i]->match = return_of[i];
      return_of[i]->match = call_of[i];
    }
  }

  Event* first() { return head_.next; }

  // Removes a call and its return from the list.
  static void Lift(Event* call) {
    for (Event* e : {call, call->match}) {
      e->prev->next = e->next;
      if (e->next) e->next->prev = e->prev;
    }
  }
  // Undoes Lift(call) (the list is as Lift left it).
  static void Unlift(Event* call) {
    for (Event* e : {call->match, call}) {
      e->prev->next = e;
      if (e->next) e->next->prev = e;
    }
  }

 private:
  Event head_;
  std::vector<Event> events_;
};

struct Bits {
  std::vector<uint64_t> words;
  explicit Bits(size_t n) : words((n + 63) / 64) {}
  void Set(size_t i) { words[i / 64] |= 1ULL << (i % 64); }
  void Clear(size_t i) { words[i / 64] &= ~(1ULL << (i % 64)); }
  bool operator==(const Bits&) const = default;
};

struct Memo {
  Bits linearized;
  RegisterState state;
  bool operator==(const Memo&) const = default;
};

struct MemoHash {
  size_t operator()(const Memo& m) const {
    size_t h = RegisterStateHash()(m.state);
    for (uint64_t w : m.linearized.words) h = h * 1000003 ^ std::hash<uint64_t>()(w);
    return h;
  }
};

// One choice on the search path: the call linearized, the state before it, and which of its
// successor states was taken (an operation of unknown outcome has two).
struct Choice {
  Event* call;
  RegisterState before;
  size_t alternative;
};

}  // namespace

Verdict CheckKey(const std::vector<Operation>& ops, const CheckOptions& options) {
  EventList list(ops);
  Bits linearized(ops.size());
  std::unordered_set<Memo, MemoHash> seen;
  std::vector<Choice> path;
  RegisterState state;
  Event* e = list.first();
  size_t first_alternative = 0;  // where to resume the successors of `e` after a backtrack
  uint64_t steps = 0;
  while (e != nullptr) {
    if (++steps > options.max_steps_per_key) return Verdict::kUndecided;
    if (e->is_call) {
      const std::vector<RegisterState> next = Step(state, ops[e->op]);
      bool advanced = false;
      for (size_t alt = first_alternative; alt < next.size() && !advanced; ++alt) {
        linearized.Set(e->op);
        if (seen.insert(Memo{linearized, next[alt]}).second) {
          path.push_back({e, state, alt});
          state = next[alt];
          EventList::Lift(e);
          e = list.first();
          advanced = true;
        } else {
          linearized.Clear(e->op);
        }
      }
      first_alternative = 0;
      if (!advanced) e = e->next;
      continue;
    }
    // A return: the operation it ends is not linearized yet and must come before anything
    // after this point, so no extension of this path works. Undo the last choice.
    if (path.empty()) return Verdict::kNotLinearizable;
    const Choice c = path.back();
    path.pop_back();
    state = c.before;
    linearized.Clear(c.call->op);
    EventList::Unlift(c.call);
    e = c.call;
    first_alternative = c.alternative + 1;
  }
  return Verdict::kLinearizable;
}

namespace {

// The first `n` operations (in call order) of one key.
std::vector<Operation> Prefix(const std::vector<Operation>& by_call, size_t n) {
  return std::vector<Operation>(by_call.begin(), by_call.begin() + static_cast<std::ptrdiff_t>(n));
}

// Bisects for a prefix that fails while the one an operation shorter does not (the whole
// fails; the empty prefix passes).
std::vector<Operation> ShortFailingPrefix(const std::vector<Operation>& by_call, const CheckOptions& options) {
  size_t pass = 0, fail = by_call.size();
  while (fail - pass > 1) {
    const size_t mid = pass + (fail - pass) / 2;
    (CheckKey(Prefix(by_call, mid), options) == Verdict::kNotLinearizable ? fail : pass) = mid;
  }
  return Prefix(by_call, fail);
}

}  // namespace

CheckResult CheckHistory(const std::vector<Operation>& ops, const CheckOptions& options) {
  std::map<std::string, std::vector<Operation>> by_key;
  for (const Operation& op : ops) by_key[op.key].push_back(op);
  CheckResult result;
  for (auto& [key, key_ops] : by_key) {
    std::stable_sort(key_ops.begin(), key_ops.end(),
                     [](const Operation& a, const Operation& b) { return a.call_ns < b.call_ns; });
    const Verdict v = CheckKey(key_ops, options);
    if (v == Verdict::kLinearizable) continue;
    result.verdict = v;
    result.key = key;
    if (v == Verdict::kUndecided) {
      result.explanation = "key " + key + ": " + std::to_string(key_ops.size()) +
                           " operations: the search exceeded its budget of " +
                           std::to_string(options.max_steps_per_key) + " steps; undecided";
      result.failing = key_ops;
      return result;
    }
    result.failing = ShortFailingPrefix(key_ops, options);
    result.explanation = "key " + key + ": not linearizable; the first " + std::to_string(result.failing.size()) +
                         " of its " + std::to_string(key_ops.size()) +
                         " operations (in call order) already fail, one fewer do not; the last: " +
                         Describe(result.failing.back());
    return result;
  }
  return result;
}

std::string CheckSeqsIncrease(const std::vector<Operation>& ops) {
  std::vector<const Operation*> writes;
  for (const Operation& op : ops) {
    if (op.known && (op.kind == OpKind::kWrite || (op.kind == OpKind::kCas && op.applied))) writes.push_back(&op);
  }
  std::vector<const Operation*> by_return = writes;
  std::sort(by_return.begin(), by_return.end(), [](auto* a, auto* b) { return a->return_ns < b->return_ns; });
  std::sort(writes.begin(), writes.end(), [](auto* a, auto* b) { return a->call_ns < b->call_ns; });
  // Sweep B in call order; `top` is the write with the greatest seq among those returned
  // before B's call.
  const Operation* top = nullptr;
  size_t r = 0;
  for (const Operation* b : writes) {
    for (; r < by_return.size() && by_return[r]->return_ns < b->call_ns; ++r) {
      if (top == nullptr || by_return[r]->new_seq > top->new_seq) top = by_return[r];
    }
    if (top != nullptr && top->new_seq >= b->new_seq) {
      return "seq went back in real time: " + Describe(*top) + " returned before " + Describe(*b) + " was called";
    }
  }
  return "";
}

}  // namespace linearizability
