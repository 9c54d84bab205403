// The one progress reporter of the tree, for long work (backup, restore, export, import, verify).
//
// Contract: while the work runs, a line on stderr is rewritten every half second with what was
// done, the total when known (and the percentage), the rate and the time left, e.g.
//   backup 1.2 GiB / 4.0 GiB (30%), 10 / 40 files, 300.0 MiB/s, ETA 0:09
//   export 120000 / ~500000 records (24%, total estimated), 40000 records/s, ETA 0:09
//   export 120000 records, 40000 records/s          (total unknown: no %, no ETA)
// It is shown only when Options::enabled (the caller decides, see ShowProgress()); stdout is
// never written. On a terminal the line is redrawn in place; elsewhere (--progress=always on a
// pipe) every update is a line of its own. Stop() draws the last state once more and ends the
// line with a newline, then prints the optional summary. A message written to stderr while a
// line is drawn must first call Progress::EndLine() (ProgressAwareSink does so for spdlog), so
// no message is glued to a half-drawn line. Add*() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/sinks/sink.h>

namespace raftstore {

// "512 B", "1.5 KiB", "3.0 GiB".
std::string HumanBytes(uint64_t n);

// metactl's --progress=auto|always|never. auto: only when stderr is a terminal.
enum class ProgressMode { kAuto, kAlways, kNever };
bool ShowProgress(ProgressMode mode);

class Progress {
 public:
  enum class Unit { kBytes, kRecords, kBlocks, kPairs };

  struct Options {
    bool enabled = false;        // draw it (resolve --progress with ShowProgress())
    std::string verb;            // first word of the line: "backup", "restore", "export"
    Unit unit = Unit::kBytes;    // what Add() counts
    uint64_t total = 0;          // in `unit`; 0: unknown (no %, no ETA)
    uint64_t total_files = 0;    // 0: no file count on the line
    bool summary = false;        // Stop() prints "<verb> done: <amount> in <secs> s (<rate>/s)"
    bool total_is_estimate = false;  // shown as "~total"; % stays below 100 until Stop
  };

  explicit Progress(Options options);
  // The block copier's form: bytes and files, no summary.
  Progress(bool enabled, std::string verb, uint64_t total_bytes, uint64_t total_files);
  ~Progress();  // Stop()s
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t n) { done_ += n; }
  void AddBytes(uint64_t n) { Add(n); }
  void AddFile() { files_++; }
  // Sets the amount done (for callers that read a position, e.g. bytes of an input file).
  void Set(uint64_t done) { done_ = done; }
  // Idempotent.
  void Stop();

  // Ends a progress line that is drawn (writes the newline), so the next stderr message starts
  // on a line of its own; the line is drawn again below it at the next update. Any thread.
  static void EndLine();

  // The text of the line for the given state (no escape codes); exposed for tests.
  static std::string Line(const Options& o, uint64_t done, uint64_t files, double secs);

 private:
  void Loop();
  void Draw(bool final);

  Options o_;
  bool shown_;
  bool tty_;
  std::atomic<uint64_t> done_{0}, files_{0};
  int64_t start_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Adds to a Progress from one thread's hot loop, every kEvery counts, and what is left when it
// is destroyed. Why: Progress::Add is an atomic add, which is a memory fence; once per record
// it made an export's reading thread wait on its own stores (2-4% of a stopped-dir export).
// One per thread; destroy it before the Progress stops (declare it after the Progress), and
// after the thread that adds has ended.
class ProgressBatch {
 public:
  static constexpr uint64_t kEvery = 1024;

  explicit ProgressBatch(Progress& progress) : progress_(progress) {}
  ~ProgressBatch() { Flush(); }
  ProgressBatch(const ProgressBatch&) = delete;
  ProgressBatch& operator=(const ProgressBatch&) = delete;

  void Add(uint64_t n) {
    pending_ += n;
    if (pending_ >= kEvery) Flush();
  }
  void Flush() {
    if (pending_ > 0) progress_.Add(pending_);
    pending_ = 0;
  }

 private:
  Progress& progress_;
  uint64_t pending_ = 0;
};

// A spdlog sink that ends the progress line (Progress::EndLine) before it hands each message
// to `inner`: logs and progress share stderr without being glued together.
std::shared_ptr<spdlog::sinks::sink> ProgressAwareSink(std::shared_ptr<spdlog::sinks::sink> inner);

}  // namespace raftstore
