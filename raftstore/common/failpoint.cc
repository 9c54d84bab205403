#include "raftstore/common/failpoint.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <vector>
#include <thread>

#include "raftstore/common/parse_number.h"

namespace raftstore::failpoint {

#ifdef METASRV_FAILPOINTS

namespace {

struct Action {
  enum Kind { kCrash, kPowerCut, kDelay, kError } kind = kCrash;
  uint64_t delay_ms = 0;
  uint64_t remaining = 0;  // 0: every time
  std::string text;        // as armed, for Armed()
};

Status Bad(const std::string& part, const std::string& why) {
  return Status::InvalidArgument("failpoint spec \"" + part + "\": " + why +
                                 " (NAME=crash|power-cut|delay(MS)|error|off, optionally N*ACTION; parts separated by ';')");
}

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Parses one ACTION (without the name); nullopt-like via Status for "off".
Status ParseAction(const std::string& part, std::string text, Action* out, bool* off) {
  *off = false;
  Action a;
  a.text = text;
  if (const auto star = text.find('*'); star != std::string::npos) {
    if (!ParseDecimalU64(text.substr(0, star), &a.remaining) || a.remaining == 0) {
      return Bad(part, "the count before '*' is not a positive number");
    }
    text = text.substr(star + 1);
  }
  if (text == "off") {
    *off = true;
  } else if (text == "crash") {
    a.kind = Action::kCrash;
  } else if (text == "power-cut") {
    a.kind = Action::kPowerCut;
  } else if (text == "error") {
    a.kind = Action::kError;
  } else if (text.rfind("delay(", 0) == 0 && text.back() == ')') {
    if (!ParseDecimalU64(text.substr(6, text.size() - 7), &a.delay_ms)) {
      return Bad(part, "delay wants milliseconds, e.g. delay(200)");
    }
    a.kind = Action::kDelay;
  } else {
    return Bad(part, "unknown action \"" + text + "\"");
  }
  *out = std::move(a);
  return Status::OK();
}

std::atomic<bool> any_armed{false};
std::atomic<PowerCutHook> power_cut_hook{nullptr};
std::mutex mu;
std::map<std::string, Action, std::less<>>& Points() {
  static auto* points = new std::map<std::string, Action, std::less<>>();  // never destroyed: used until _exit
  return *points;
}
}  // namespace

bool Compiled() { return true; }

void SetPowerCutHook(PowerCutHook hook) { power_cut_hook = hook; }

namespace internal {

bool AnyArmed() { return any_armed.load(std::memory_order_relaxed); }

Status HitArmed(std::string_view name) {
  Action a;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto& points = Points();
    auto it = points.find(name);
    if (it == points.end()) return Status::OK();
    a = it->second;
    if (it->second.remaining > 0 && --it->second.remaining == 0) {
      points.erase(it);
      any_armed = !points.empty();
    }
  }
  switch (a.kind) {
    case Action::kPowerCut:
      if (PowerCutHook hook = power_cut_hook.load()) hook();  // does not return
      _exit(kCrashExitCode);
    case Action::kCrash:
      _exit(kCrashExitCode);
    case Action::kDelay:
      std::this_thread::sleep_for(std::chrono::milliseconds(a.delay_ms));
      return Status::OK();
    case Action::kError:
      break;
  }
  return Status::IOError("failpoint " + std::string(name) + " returned an error (armed by a test)");
}

}  // namespace internal

Status Arm(const std::string& spec) {
  std::vector<std::pair<std::string, std::optional<Action>>> parsed;
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t end = std::min(spec.find(';', start), spec.size());
    const std::string part = Trim(spec.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0) return Bad(part, "want NAME=ACTION");
    Action a;
    bool off = false;
    RS_RETURN_IF_ERROR(ParseAction(part, Trim(part.substr(eq + 1)), &a, &off));
    parsed.emplace_back(Trim(part.substr(0, eq)), off ? std::nullopt : std::optional<Action>(std::move(a)));
  }
  std::lock_guard<std::mutex> lock(mu);
  auto& points = Points();
  for (auto& [name, action] : parsed) {
    if (action) {
      points[name] = std::move(*action);
    } else {
      points.erase(name);
    }
  }
  any_armed = !points.empty();
  return Status::OK();
}

std::string Armed() {
  std::lock_guard<std::mutex> lock(mu);
  std::string out;
  for (const auto& [name, a] : Points()) out += (out.empty() ? "" : ";") + name + "=" + a.text;
  return out;
}

#else

bool Compiled() { return false; }

void SetPowerCutHook(PowerCutHook) {}

Status Arm(const std::string& spec) {
  if (spec.empty()) return Status::OK();
  return Status::InvalidArgument("failpoints are not compiled into this build (configure with -DMETASRV_FAILPOINTS=ON)");
}

std::string Armed() { return ""; }

#endif

Status ArmFromEnv() {
  const char* spec = std::getenv(kEnvVar);
  if (spec == nullptr || *spec == '\0') return Status::OK();
  return Arm(spec).WithContext(kEnvVar);
}

}  // namespace raftstore::failpoint
