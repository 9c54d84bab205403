#include "raftstore/backup/block_pipeline.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "raftstore/backup/manifest.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/hex.h"
#include "raftstore/common/interrupt.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

BlockPipeline::BlockPipeline(ObjectStore& store, ExistingBlocks* existing,
                             int workers, int inflight, size_t block_size)
    : store_(store), existing_(existing), block_size_(block_size),
      queue_(std::max(workers, 1)) {
  inflight = std::max({inflight, workers, 1});
  buffers_.resize(static_cast<size_t>(inflight));
  for (size_t i = 0; i < buffers_.size(); ++i) free_.push_back(i);
}

int BlockPipeline::Acquire() {
  std::unique_lock<std::mutex> lk(mu_);
  cv_free_.wait(lk, [this] { return !free_.empty() || !error_.ok(); });
  if (!error_.ok()) return -1;
  int idx = static_cast<int>(free_.front());
  free_.pop_front();
  if (buffers_[idx].size() < block_size_) buffers_[idx].resize(block_size_);
  return idx;
}

void BlockPipeline::Submit(int idx, size_t len, Slot* slot) {
  // Refused only after a failure; the buffer is then simply given back.
  if (!queue_.Submit([this, idx, len, slot] { return Process(idx, len, slot); })) Release(idx);
}

void BlockPipeline::Release(int idx) {
  {
    std::lock_guard<std::mutex> g(mu_);
    free_.push_back(static_cast<size_t>(idx));
  }
  cv_free_.notify_all();
}

Status BlockPipeline::Finish() {
  Status st = queue_.Finish();
  std::lock_guard<std::mutex> g(mu_);
  return error_.ok() ? st : error_;
}

Status BlockPipeline::error() {
  std::lock_guard<std::mutex> g(mu_);
  return error_;
}

bool BlockPipeline::Claim(const std::string& hex, uint64_t size) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = existing_->find(hex);
  if ((it != existing_->end() && it->second == size) || in_progress_.count(hex)) {
    reused_blocks_++;
    return false;
  }
  if (it != existing_->end()) {
    spdlog::warn("block {}{} at {} is {} bytes where its content has {}: damaged, writing it again", kDataDir, hex,
                 store_.Describe(), it->second, size);
  }
  in_progress_.insert(hex);
  return true;
}

Status BlockPipeline::Process(int idx, size_t len, Slot* slot) {
  std::string_view data(buffers_[idx].data(), len);
  slot->sha = store_.BlockId(data);
  slot->size = len;
  std::string hex = HexEncode(slot->sha.data(), slot->sha.size());
  Status st;
  if (Claim(hex, len) && error().ok()) {
    PutOptions po;
    po.sha256_hex = hex;
    st = failpoint::Hit("backup-upload");
    if (st.ok()) st = store_.Put(BlockKey(hex), data, po);
    std::lock_guard<std::mutex> g(mu_);
    if (st.ok()) {
      (*existing_)[hex] = len;
      new_blocks_++;
      new_bytes_ += len;
    }
  }
  if (!st.ok()) {
    // Recorded here (not only by the queue) so that Acquire stops handing out buffers at once.
    st = st.WithContext("write block " + BlockKey(hex));
    std::lock_guard<std::mutex> g(mu_);
    if (error_.ok()) error_ = st;
  }
  Release(idx);
  return st;
}

namespace {

// Fills buf with up to `want` bytes (short only at the end of the file).
Result<size_t> ReadBlock(int fd, char* buf, size_t want, const std::string& path,
                         uint64_t offset) {
  size_t have = 0;
  while (have < want) {
    ssize_t n = ::read(fd, buf + have, want - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("read " + path + " at offset " + std::to_string(offset + have) +
                             ": " + std::strerror(errno));
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  return have;
}

}  // namespace

Result<uint64_t> FeedFile(const std::string& path, BlockPipeline& pipe, size_t block_size,
                          std::deque<Slot>* slots, Progress* progress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError("open " + path + ": " + std::strerror(errno) +
                           ": check that the file is readable");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint64_t total = 0;
  Status st;
  for (;;) {
    if (raftstore::Interrupted()) {
      st = raftstore::InterruptedStatus();
      break;
    }
    int idx = pipe.Acquire();
    if (idx < 0) {
      st = pipe.error();
      break;
    }
    auto have = ReadBlock(fd, pipe.Buffer(idx), block_size, path, total);
    if (!have.ok() || *have == 0) {
      pipe.Release(idx);
      st = have.status();
      break;
    }
    slots->emplace_back();
    pipe.Submit(idx, *have, &slots->back());
    total += *have;
    if (progress) progress->AddBytes(*have);
    if (*have < block_size) break;
  }
  ::close(fd);
  if (!st.ok()) return st;
  return total;
}

}  // namespace raftstore::backup
