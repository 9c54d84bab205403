#include "raftstore/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>

namespace raftstore {

namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// One stderr, one line at a time: every Progress and EndLine() take this lock to write.
std::mutex g_draw_mu;
bool g_line_open = false;  // a line is drawn on the terminal without its newline

std::string Count(Progress::Unit unit, uint64_t n) {
  switch (unit) {
    case Progress::Unit::kBytes:
      return HumanBytes(n);
    case Progress::Unit::kRecords:
      return std::to_string(n) + " records";
    case Progress::Unit::kBlocks:
      return std::to_string(n) + " blocks";
    case Progress::Unit::kPairs:
      return std::to_string(n) + " pairs";
  }
  return std::to_string(n);
}

// "12 / ~40 records", "1.0 MiB / 4.0 MiB".
std::string DoneOfTotal(const Progress::Options& o, uint64_t done) {
  const std::string tilde = o.total_is_estimate ? "~" : "";
  if (o.unit == Progress::Unit::kBytes) return HumanBytes(done) + " / " + tilde + HumanBytes(o.total);
  return std::to_string(done) + " / " + tilde + Count(o.unit, o.total);
}

}  // namespace

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

bool ShowProgress(ProgressMode mode) {
  return mode == ProgressMode::kAlways || (mode == ProgressMode::kAuto && ::isatty(2) == 1);
}

Progress::Progress(Options options)
    : o_(std::move(options)), shown_(o_.enabled), tty_(::isatty(2) == 1), start_ms_(SteadyMs()) {
  if (shown_) thread_ = std::thread([this] { Loop(); });
}

Progress::Progress(bool enabled, std::string verb, uint64_t total_bytes, uint64_t total_files)
    : Progress(Options{enabled, std::move(verb), Unit::kBytes, total_bytes, total_files, false, false}) {}

Progress::~Progress() { Stop(); }

void Progress::Stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  Draw(/*final=*/true);
  if (o_.summary) {
    double secs = std::max(0.001, (SteadyMs() - start_ms_) / 1000.0);
    uint64_t done = done_.load();
    std::lock_guard<std::mutex> g(g_draw_mu);
    fprintf(stderr, "%s done: %s in %.1f s (%s/s)\n", o_.verb.c_str(), Count(o_.unit, done).c_str(),
            secs, Count(o_.unit, static_cast<uint64_t>(done / secs)).c_str());
    fflush(stderr);
  }
}

void Progress::EndLine() {
  std::lock_guard<std::mutex> g(g_draw_mu);
  if (!g_line_open) return;
  fputc('\n', stderr);
  fflush(stderr);
  g_line_open = false;
}

void Progress::Loop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, std::chrono::milliseconds(500), [this] { return stop_; });
    if (!stop_) Draw(/*final=*/false);
  }
}

std::string Progress::Line(const Options& o, uint64_t done, uint64_t files, double secs) {
  secs = std::max(0.001, secs);
  const double rate = done / secs;
  std::string line = o.verb + " ";
  if (o.total == 0) {
    line += Count(o.unit, done);
  } else {
    // An estimate can be passed: the percentage stays at 99 until the work ends.
    uint64_t pct = std::min<uint64_t>(done >= o.total ? 100 : done * 100 / o.total, o.total_is_estimate ? 99 : 100);
    line += DoneOfTotal(o, done) + " (" + std::to_string(pct) + "%" +
            (o.total_is_estimate ? ", total estimated" : "") + ")";
  }
  if (o.total_files > 0) {
    line += ", " + std::to_string(files) + " / " + std::to_string(o.total_files) + " files";
  }
  line += ", " + Count(o.unit, static_cast<uint64_t>(rate)) + "/s";
  if (o.total > 0) {
    std::string eta = "?";
    if (rate > 0 && o.total >= done) {
      int64_t left = static_cast<int64_t>((o.total - done) / rate);
      char buf[32];
      snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(left / 60),
               static_cast<long long>(left % 60));
      eta = buf;
    }
    line += ", ETA " + eta;
  }
  return line;
}

void Progress::Draw(bool final) {
  Options o = o_;
  // The last line says what was done; an estimated total is replaced by the real count.
  if (final && o.total_is_estimate) {
    o.total = std::max<uint64_t>(done_.load(), 1);
    o.total_is_estimate = false;
  }
  std::string line = Line(o, done_.load(), files_.load(), (SteadyMs() - start_ms_) / 1000.0);
  std::lock_guard<std::mutex> g(g_draw_mu);
  if (tty_) {
    fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
    g_line_open = !final;
  } else {
    fprintf(stderr, "%s\n", line.c_str());
  }
  fflush(stderr);
}

namespace {

class EndLineSink : public spdlog::sinks::sink {
 public:
  explicit EndLineSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}
  void log(const spdlog::details::log_msg& msg) override {
    Progress::EndLine();
    inner_->log(msg);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override { inner_->set_formatter(std::move(f)); }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

std::shared_ptr<spdlog::sinks::sink> ProgressAwareSink(std::shared_ptr<spdlog::sinks::sink> inner) {
  return std::make_shared<EndLineSink>(std::move(inner));
}

}  // namespace raftstore
