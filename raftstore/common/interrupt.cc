#include "raftstore/common/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>
#include <thread>

namespace raftstore {

namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};
std::atomic<int> g_scopes{0};
int g_pipe[2] = {-1, -1};  // the handler writes one byte per signal; the waker thread reads it
// Guards the callbacks; the waker thread holds it while it runs them, so a CancelOnInterrupt's
// function is never called after its destructor returned.
std::mutex g_mu;
std::set<const std::function<void()>*> g_cancel_fns;

// The handler: async-signal-safe calls only, and no work beyond the flag and the wake-up byte.
void OnSignal(int sig) {
  if (g_scopes.load() == 0) {  // no long job: the default action, as without this piece
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  if (g_interrupted.exchange(true)) ::_exit(kExitInterrupted);  // the second signal
  g_signal = sig;
  const int saved = errno;
  char c = 1;
  (void)!::write(g_pipe[1], &c, 1);
  errno = saved;
}

// Runs the cancel callbacks once per signal, outside the handler.
void Waker() {
  char c;
  for (;;) {
    ssize_t n = ::read(g_pipe[0], &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::lock_guard<std::mutex> g(g_mu);
    for (const auto* fn : g_cancel_fns) (*fn)();
  }
}

}  // namespace

void InstallInterruptHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;  // then signals keep their default action
    std::thread(Waker).detach();
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sa.sa_flags = SA_RESTART;  // blocking reads go on; the loops see the flag at the next record
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM}) {
      struct sigaction old {};
      ::sigaction(sig, nullptr, &old);
      // Ignored by whoever started us (e.g. `cmd &` in a script): stays ignored, as is usual.
      if (old.sa_handler != SIG_IGN) ::sigaction(sig, &sa, nullptr);
    }
  });
}

bool Interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

Status InterruptedStatus() {
  return Status::Aborted(std::string("interrupted by ") + (g_signal.load() == SIGTERM ? "SIGTERM" : "SIGINT"));
}

void ClearInterruptForTest() {
  g_interrupted = false;
  g_signal = 0;
}

InterruptScope::InterruptScope() { ++g_scopes; }

InterruptScope::~InterruptScope() { --g_scopes; }

CancelOnInterrupt::CancelOnInterrupt(std::function<void()> cancel) : cancel_(std::move(cancel)) {
  std::lock_guard<std::mutex> g(g_mu);
  if (g_interrupted.load()) cancel_();
  g_cancel_fns.insert(&cancel_);
}

CancelOnInterrupt::~CancelOnInterrupt() {
  std::lock_guard<std::mutex> g(g_mu);
  g_cancel_fns.erase(&cancel_);
}

}  // namespace raftstore
