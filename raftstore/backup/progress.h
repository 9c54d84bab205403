// Progress line on stderr (only when enabled, i.e. stderr is a terminal).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace raftstore::backup {

class Progress {
 public:
  Progress(bool enabled, std::string verb, uint64_t total_bytes, uint64_t total_files);
  ~Progress();
  void AddBytes(uint64_t n) { bytes_ += n; }
  void AddFile() { files_++; }
  void Stop();

 private:
  void Loop();
  void Print(bool final);

  bool enabled_;
  std::string verb_;
  uint64_t total_bytes_, total_files_;
  std::atomic<uint64_t> bytes_{0}, files_{0};
  int64_t start_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace raftstore::backup
