#include "raftstore/backup/block_pipeline.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "raftstore/backup/manifest.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/hex.h"
#include "raftstore/common/interrupt.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

namespace {
uint64_t MicrosSince(std::chrono::steady_clock::time_point t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - t)
                                   .count());
}
}  // namespace

BlockPipeline::BlockPipeline(ObjectStore& store, ExistingBlocks* existing,
                             int workers, int inflight, size_t max_block_size,
                             Compression compression, BackupObserver* observer)
    : store_(store), existing_(existing), block_size_(max_block_size),
      compression_(compression), observer_(observer), queue_(std::max(workers, 1)) {
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
  if (observer_) observer_->bytes_done += len;
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

bool BlockPipeline::Claim(const std::string& hex, uint64_t size, uint64_t* stored_size) {
  std::lock_guard<std::mutex> g(mu_);
  const uint64_t want = *stored_size != 0 ? *stored_size : size;
  auto it = existing_->find(hex);
  if (it != existing_->end() && (it->second == size || it->second == want)) {
    reused_blocks_++;
    *stored_size = it->second == size ? 0 : it->second;
    return false;
  }
  if (in_progress_.count(hex)) {  // another worker writes the same content in this form
    reused_blocks_++;
    return false;
  }
  if (it != existing_->end()) {
    spdlog::warn("block {}{} at {} is {} bytes where this backup stores {} ({} plain): damaged or "
                 "compressed at another level, writing it again",
                 kDataDir, hex, store_.Describe(), it->second, want, size);
  }
  in_progress_.insert(hex);
  return true;
}

Status BlockPipeline::Process(int idx, size_t len, Slot* slot) {
  std::string_view data(buffers_[idx].data(), len);
  slot->sha = store_.BlockId(data);
  slot->size = len;
  std::string hex = HexEncode(slot->sha.data(), slot->sha.size());
  thread_local std::string compressed;
  const auto compress_started = std::chrono::steady_clock::now();
  const bool packed = CompressBlock(compression_, data, &compressed);
  if (observer_) observer_->compress_us += MicrosSince(compress_started);
  std::string_view body = packed ? std::string_view(compressed) : data;
  slot->stored_size = packed ? body.size() : 0;
  Status st;
  if (Claim(hex, len, &slot->stored_size) && error().ok()) {
    PutOptions po;
    if (!packed) po.sha256_hex = hex;  // the digest of the body, when the body is the plaintext
    st = failpoint::Hit("backup-upload");
    const auto upload_started = std::chrono::steady_clock::now();
    if (st.ok()) st = store_.Put(BlockKey(hex), body, po);
    if (observer_) observer_->upload_us += MicrosSince(upload_started);
    std::lock_guard<std::mutex> g(mu_);
    if (st.ok()) {
      (*existing_)[hex] = body.size();
      new_blocks_++;
      new_bytes_ += len;
      new_stored_bytes_ += body.size();
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

// Reads until buf holds `want` bytes or the file ends; returns the bytes read.
Result<size_t> ReadFully(int fd, char* buf, size_t want, const std::string& path,
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

// The file read ahead into a window of 2 * max bytes, so that the chunker always sees a whole
// largest block (or the end of the file) from where the next block starts.
class ReadAhead {
 public:
  ReadAhead(int fd, const std::string& path, size_t max)
      : fd_(fd), path_(path), max_(max), buf_(2 * max, '\0') {}

  // Fills the window to at least max bytes past the start (fewer only at the end of the file).
  Status Fill() {
    if (eof_ || end_ - start_ >= max_) return Status::OK();
    if (start_ > 0) {  // slide what is left (< max bytes) to the front
      std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
      offset_ += start_;
      end_ -= start_;
      start_ = 0;
    }
    RS_ASSIGN_OR_RETURN(size_t n, ReadFully(fd_, buf_.data() + end_, buf_.size() - end_, path_,
                                            offset_ + end_));
    eof_ = end_ + n < buf_.size();
    end_ += n;
    return Status::OK();
  }
  const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(buf_.data()) + start_;
  }
  size_t size() const { return end_ - start_; }
  void Consume(size_t n) { start_ += n; }

 private:
  int fd_;
  const std::string& path_;
  size_t max_;
  std::string buf_;
  size_t start_ = 0, end_ = 0;
  uint64_t offset_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
};

}  // namespace

Result<uint64_t> FeedFile(const std::string& path, BlockPipeline& pipe, const Chunker& chunker,
                          std::deque<Slot>* slots, Progress* progress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError("open " + path + ": " + std::strerror(errno) +
                           ": check that the file is readable");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  ReadAhead window(fd, path, chunker.sizes().max);
  uint64_t total = 0;
  Status st;
  for (;;) {
    if (raftstore::Interrupted()) {
      st = raftstore::InterruptedStatus();
      break;
    }
    st = window.Fill();
    if (!st.ok() || window.size() == 0) break;
    const size_t len = chunker.Cut(window.data(), window.size());
    int idx = pipe.Acquire();
    if (idx < 0) {
      st = pipe.error();
      break;
    }
    std::memcpy(pipe.Buffer(idx), window.data(), len);
    window.Consume(len);
    slots->emplace_back();
    pipe.Submit(idx, len, &slots->back());
    total += len;
    if (progress) progress->AddBytes(len);
  }
  ::close(fd);
  if (!st.ok()) return st;
  return total;
}

}  // namespace raftstore::backup
