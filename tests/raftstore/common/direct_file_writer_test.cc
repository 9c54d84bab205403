// DirectFileWriter (direct_file_writer.h): what is written reaches a file or a pipe in order,
// through whole blocks and the partial last one; a file is written with O_DIRECT where the
// filesystem allows it, and plainly for the rest when a direct write is refused; a failed write
// keeps its errno; nothing is written after a writer is dropped without Finish().
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ostream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "raftstore/common/direct_file_writer.h"
#include "raftstore/common/failpoint.h"

using namespace raftstore;

namespace {

constexpr size_t kBlock = 64 * 1024;  // small blocks: many of them, and a partial last one

// Small pieces and pieces several blocks long, interleaved, ending off a block boundary.
std::string WriteMixed(std::ostream& out) {
  std::string want;
  for (int i = 0; i < 20; ++i) {
    const std::string small = "line " + std::to_string(i) + "\n";
    const std::string large(3 * kBlock + 1000 + i, static_cast<char>('a' + i % 26));
    out << small;
    out.write(large.data(), static_cast<std::streamsize>(large.size()));
    want += small + large;
  }
  return want;
}

std::string ReadAll(int fd) {
  std::string got;
  char buf[65536];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  return got;
}

// A new file in the test's temporary dir, already unlinked; -1 on failure.
int TempFile(int flags = O_RDWR) {
  std::string path = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp");
  path += "/direct_file_writer_test.XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return -1;
  const int reopened = flags == O_RDWR ? -1 : ::open(path.c_str(), flags);
  ::unlink(path.c_str());
  if (reopened < 0) return fd;
  ::close(fd);
  return reopened;
}

// Whether the filesystem of the test's temporary dir takes O_DIRECT (ext4, xfs, tmpfs since
// Linux 6.6): where it does, the writer must use it.
bool TempDirTakesDirect() {
  const int fd = TempFile();
  const bool ok = fd >= 0 && ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_DIRECT) == 0;
  if (fd >= 0) ::close(fd);
  return ok;
}

}  // namespace

TEST(DirectFileWriter, SmallAndLargeWritesReachAFileInOrder) {
  const int fd = TempFile();
  ASSERT_GE(fd, 0);
  DirectFileWriter buf(fd, {.block_bytes = kBlock, .sync_every_bytes = 2 * kBlock});
  std::ostream out(&buf);
  const std::string want = WriteMixed(out);
  out.flush();
  EXPECT_TRUE(out.good());
  EXPECT_EQ(buf.direct(), TempDirTakesDirect()) << "a regular file is written with O_DIRECT where it can be";
  ASSERT_TRUE(buf.Finish());
  EXPECT_EQ(buf.error(), 0);
  EXPECT_EQ(ReadAll(fd), want);
  struct stat st{};
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(static_cast<size_t>(st.st_size), want.size()) << "no padding after the last byte";
  ::close(fd);
}

TEST(DirectFileWriter, ExactlyWholeBlocksAndNothingAtAll) {
  for (size_t size : {size_t{0}, kBlock, 4 * kBlock}) {
    const int fd = TempFile();
    ASSERT_GE(fd, 0);
    DirectFileWriter buf(fd, {.block_bytes = kBlock});
    std::ostream out(&buf);
    const std::string want(size, 'z');
    out.write(want.data(), static_cast<std::streamsize>(want.size()));
    ASSERT_TRUE(buf.Finish()) << size;
    EXPECT_EQ(ReadAll(fd), want) << size;
    ::close(fd);
  }
}

TEST(DirectFileWriter, APipeGetsPlainWritesInOrder) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string got;
  std::thread reader([&] {
    char buf[65536];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  });
  std::string want;
  {
    // The periodic fdatasync fails on a pipe (EINVAL), which is no error: nothing to sync.
    DirectFileWriter buf(fds[1], {.block_bytes = kBlock, .sync_every_bytes = kBlock});
    std::ostream out(&buf);
    want = WriteMixed(out);
    EXPECT_FALSE(buf.direct()) << "O_DIRECT on a pipe would make it a packet pipe";
    EXPECT_TRUE(buf.Finish());
    EXPECT_EQ(buf.error(), 0);
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  EXPECT_EQ(got, want);
}

TEST(DirectFileWriter, ARefusedDirectWriteGoesOnPlainly) {
  if (!failpoint::Compiled()) GTEST_SKIP() << "built without METASRV_FAILPOINTS";
  if (!TempDirTakesDirect()) GTEST_SKIP() << "the temporary dir's filesystem takes no O_DIRECT";
  const int fd = TempFile();
  ASSERT_GE(fd, 0);
  DirectFileWriter buf(fd, {.block_bytes = kBlock});
  std::ostream out(&buf);
  // The first block goes to the writer thread and is written directly; the second, full,
  // stays the current block until the next byte, so the armed point meets it.
  const std::string first(2 * kBlock, 'a');
  out.write(first.data(), static_cast<std::streamsize>(first.size()));
  for (int i = 0; i < 2000 && ::lseek(fd, 0, SEEK_END) < static_cast<off_t>(kBlock); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(buf.direct());
  ASSERT_TRUE(failpoint::Arm("direct-write=1*error").ok());
  std::string want = first;
  const std::string rest = WriteMixed(out);
  want += rest;
  ASSERT_TRUE(buf.Finish());
  EXPECT_FALSE(buf.direct()) << "after a refused direct write, the rest is written plainly";
  EXPECT_EQ(failpoint::Armed(), "") << "the point fired";
  EXPECT_EQ(ReadAll(fd), want);
  ::close(fd);
  failpoint::Arm("direct-write=off");
}

TEST(DirectFileWriter, AFailedWriteKeepsItsErrno) {
  for (size_t size : {size_t{100}, 3 * kBlock}) {  // failing at Finish(), and on the writer thread
    const int ro = TempFile(O_RDONLY);
    ASSERT_GE(ro, 0);
    DirectFileWriter buf(ro, {.block_bytes = kBlock});
    std::ostream out(&buf);
    const std::string data(size, 'x');
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    EXPECT_FALSE(buf.Finish()) << size;
    EXPECT_EQ(buf.error(), EBADF) << size;
    ::close(ro);
  }
}

TEST(DirectFileWriter, AWriteAfterAFailureFails) {
  const int ro = TempFile(O_RDONLY);
  ASSERT_GE(ro, 0);
  DirectFileWriter buf(ro, {.block_bytes = kBlock, .max_queued = 1});
  std::ostream out(&buf);
  const std::string data(kBlock, 'x');
  // The writer thread fails on the first block; from then on a full block is refused.
  for (int i = 0; i < 2000 && out.good(); ++i) out.write(data.data(), static_cast<std::streamsize>(data.size()));
  EXPECT_FALSE(out.good());
  EXPECT_EQ(buf.error(), EBADF);
  ::close(ro);
}

TEST(DirectFileWriter, DroppedWithoutFinishWritesNoMore) {
  const int fd = TempFile();
  ASSERT_GE(fd, 0);
  {
    DirectFileWriter buf(fd, {.block_bytes = kBlock});
    std::ostream out(&buf);
    const std::string data(kBlock / 2, 'q');
    out.write(data.data(), static_cast<std::streamsize>(data.size()));  // less than a block
  }
  EXPECT_EQ(ReadAll(fd), "") << "the partial block of an unfinished writer is dropped";
  ::close(fd);
}
