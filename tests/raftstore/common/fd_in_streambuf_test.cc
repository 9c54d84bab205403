// FdInStreamBuf (fd_in_streambuf.h): reads what a pipe has without waiting for more, and a read
// that waits on a stalled writer ends once the job is interrupted.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <istream>
#include <string>

#include <gtest/gtest.h>

#include "raftstore/common/fd_in_streambuf.h"
#include "raftstore/common/interrupt.h"

using namespace raftstore;

namespace {
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    for (int fd : fds) if (fd >= 0) ::close(fd);
  }
  void Write(const std::string& s) { ASSERT_EQ(::write(fds[1], s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  void CloseWriter() {
    ::close(fds[1]);
    fds[1] = -1;
  }
};
}  // namespace

TEST(FdInStreamBuf, ReadsWhatThePipeHasThenTheEnd) {
  Pipe p;
  FdInStreamBuf buf(p.fds[0], 4);  // a buffer smaller than what is written
  std::istream in(&buf);
  p.Write("hello world\n");
  ASSERT_EQ(in.peek(), 'h');
  char got[64];
  std::string all;
  for (std::streamsize n; (n = in.readsome(got, sizeof got)) > 0;) all.append(got, static_cast<size_t>(n));
  EXPECT_EQ(all, "hello world\n");  // readsome took all the pipe had, through FIONREAD, and did not wait
  p.CloseWriter();
  EXPECT_EQ(in.peek(), std::char_traits<char>::eof());
  EXPECT_FALSE(in.bad());
}

TEST(FdInStreamBuf, AWaitOnAStalledWriterEndsOnInterrupt) {
  InstallInterruptHandler();
  Pipe p;  // the writer stays open and silent
  FdInStreamBuf buf(p.fds[0]);
  std::istream in(&buf);
  {
    InterruptScope scope;
    ASSERT_EQ(::raise(SIGINT), 0);  // sets the flag (inside a scope the handler does not exit)
    const auto start = std::chrono::steady_clock::now();
    in.peek();
    const auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(in.bad());
    EXPECT_EQ(buf.error(), EINTR);
    EXPECT_LT(waited, std::chrono::seconds(2));
  }
  ClearInterruptForTest();
}
