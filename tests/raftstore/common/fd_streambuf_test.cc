// FdStreamBuf (fd_streambuf.h): small writes through the buffer and large ones around it come
// out in order, with or without the writeback hint (which a pipe ignores), and a failed
// write keeps its errno.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ostream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "raftstore/common/fd_streambuf.h"
#include "raftstore/common/file_util.h"

using namespace raftstore;

namespace {

// Small pieces and pieces larger than the buffer, interleaved; more than kWritebackBytes in all.
std::string WriteMixed(std::ostream& out) {
  std::string want;
  for (int i = 0; i < 40; ++i) {
    const std::string small = "line " + std::to_string(i) + "\n";
    const std::string large(300 * 1024 + i, static_cast<char>('a' + i % 26));
    out << small;
    out.write(large.data(), static_cast<std::streamsize>(large.size()));
    want += small + large;
  }
  out.flush();
  return want;
}

std::string ReadFile(int fd) {
  std::string got;
  char buf[65536];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  return got;
}

}  // namespace

TEST(FdStreamBuf, SmallAndLargeWritesReachAFileInOrder) {
  for (bool writeback : {false, true}) {
    char path[] = "/tmp/fd_streambuf_test.XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::unlink(path);
    FdStreamBuf buf(fd, {.buffer_bytes = 256 * 1024, .writeback = writeback});
    std::ostream out(&buf);
    const std::string want = WriteMixed(out);
    ASSERT_TRUE(out.good());
    EXPECT_EQ(buf.error(), 0);
    ASSERT_GT(want.size(), kWritebackBytes);
    EXPECT_EQ(ReadFile(fd), want) << "writeback " << writeback;
    ::close(fd);
  }
}

TEST(FdStreamBuf, TheWritebackHintIsHarmlessOnAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string got;
  std::thread reader([&] {
    char buf[65536];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  });
  std::string want;
  {
    FdStreamBuf buf(fds[1], {.buffer_bytes = 256 * 1024, .writeback = true});
    std::ostream out(&buf);
    want = WriteMixed(out);
    EXPECT_TRUE(out.good());
    EXPECT_EQ(buf.error(), 0);
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  EXPECT_EQ(got, want);
}

TEST(FdStreamBuf, AFailedWriteKeepsItsErrno) {
  char path[] = "/tmp/fd_streambuf_test.XXXXXX";
  const int rw = ::mkstemp(path);
  ASSERT_GE(rw, 0);
  const int ro = ::open(path, O_RDONLY);
  ::unlink(path);
  ::close(rw);
  FdStreamBuf buf(ro, {.buffer_bytes = 16});
  std::ostream out(&buf);
  const std::string large(64, 'x');  // larger than the buffer: the direct path
  out.write(large.data(), static_cast<std::streamsize>(large.size()));
  EXPECT_FALSE(out.good());
  EXPECT_EQ(buf.error(), EBADF);
  ::close(ro);
}
