// StopAndJoin: for a test that runs client threads beside its servers. When it goes out of
// scope, however the test leaves it (a failed ASSERT returns early), it sets `stop` and joins
// the threads. Without it a failed assertion destroys a joinable std::thread, which terminates
// the test binary before the fixture can stop its servers: they would keep running, holding
// their ports and dirs, after the test has ended.
#pragma once

#include <atomic>
#include <thread>
#include <vector>

namespace testutil {

class StopAndJoin {
 public:
  StopAndJoin(std::atomic<bool>& stop, std::vector<std::thread>& threads) : stop_(stop), many_(&threads) {}
  StopAndJoin(std::atomic<bool>& stop, std::thread& thread) : stop_(stop), one_(&thread) {}
  StopAndJoin(const StopAndJoin&) = delete;
  StopAndJoin& operator=(const StopAndJoin&) = delete;
  ~StopAndJoin() {
    stop_ = true;
    if (one_ != nullptr && one_->joinable()) one_->join();
    if (many_ == nullptr) return;
    for (std::thread& t : *many_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::atomic<bool>& stop_;
  std::vector<std::thread>* many_ = nullptr;
  std::thread* one_ = nullptr;
};

}  // namespace testutil
