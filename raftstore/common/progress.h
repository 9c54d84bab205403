// The one progress reporter of the tree, for long work (backup, restore, export, import).
//
// Contract: while the work runs, a line on stderr is rewritten every half second with what was
// done, the total when known, the rate and the time left, e.g.
//   backup 1.2 GiB / 4.0 GiB, 10 / 40 files, 300.0 MiB/s, ETA 0:09
//   export 120000 / 500000 records, 40000 records/s, ETA 0:09
// It is shown only when the caller asks for it AND stderr is a terminal, so logs, pipes and
// tests never see it; stdout is never written. Stop() erases the line and, when the options ask
// for it, prints a one-line summary on stderr. Add*() may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace raftstore {

// "512 B", "1.5 KiB", "3.0 GiB".
std::string HumanBytes(uint64_t n);

class Progress {
 public:
  enum class Unit { kBytes, kRecords };

  struct Options {
    bool enabled = false;      // the caller wants it (it still needs stderr to be a terminal)
    std::string verb;          // first word of the line: "backup", "restore", "export"
    Unit unit = Unit::kBytes;  // what Add() counts
    uint64_t total = 0;        // in `unit`; 0: unknown (no total, no ETA)
    uint64_t total_files = 0;  // 0: no file count on the line
    bool summary = false;      // Stop() prints "<verb> done: <amount> in <secs> s (<rate>/s)"
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
  // Idempotent.
  void Stop();

 private:
  void Loop();
  void PrintLine();
  std::string Amount(uint64_t n) const;

  Options o_;
  bool shown_;
  std::atomic<uint64_t> done_{0}, files_{0};
  int64_t start_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace raftstore
