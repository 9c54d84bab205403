// Test helpers: real metasrv processes, and loopback ports.
//
// Ports: a Metasrv started on a fresh dir (--single, --join) listens on port 0 and reports the
// ports it got through --address-file (raftstore/server/listen.h), so no port is picked and
// released before the server binds it. Only addresses a test must know before the node starts
// (a dir seeded by `metactl import --initial-cluster`, an address where nothing listens) come
// from FreePort(), which has that race; see ClusterFixture for how a seeded cluster handles it.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "meta.grpc.pb.h"

namespace testutil {

inline int FreePortOnce() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

// A TCP port on 127.0.0.1 that was free a moment ago (never the same one twice in a process).
inline int FreePort() {
  static std::mutex mu;
  static std::set<int> given;
  std::lock_guard<std::mutex> lock(mu);
  for (;;) {
    int port = FreePortOnce();
    if (given.insert(port).second) return port;
  }
}

inline std::string Addr(int port) { return "127.0.0.1:" + std::to_string(port); }

// A port on 127.0.0.1 where nothing listens, for as long as this object lives: a socket is bound
// to it but never listens, so a connection is refused at once and no other process can take
// the port meanwhile (a port that was merely free a moment ago can be).
class DeadPort {
 public:
  DeadPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~DeadPort() { close(fd_); }
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

// The port of the line "<key>HOST:PORT" in metasrv's --address-file text (0 if absent).
inline int PortIn(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return 0;
  const size_t end = text.find('\n', at);
  const std::string addr = text.substr(at + key.size(), end == std::string::npos ? std::string::npos : end - at - key.size());
  const size_t colon = addr.rfind(':');
  return colon == std::string::npos ? 0 : std::atoi(addr.c_str() + colon + 1);
}

// True if something accepts TCP connections on 127.0.0.1:port.
inline bool PortOpen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// Runs a command (through sh), returning its exit code; stdout/stderr go to the given files.
inline int RunShell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Metasrv {
 public:
  // Ports are chosen by the first start (port 0), or before it by raft_port()/grpc_port().
  Metasrv(std::string dir, int id = 1) : dir_(std::move(dir)), id_(id) {}
  ~Metasrv() { Kill9(); }

  // Starts metasrv with `extra` flags; waits until it serves as leader (up to 15 s).
  bool Start(const std::vector<std::string>& extra = {}) {
    Launch(extra);
    for (int i = 0; i < 150; ++i) {
      metasrv::StatusReply s;
      if (StatusRpc(&s).ok() && s.role() == "leader") {
        // The leader's first writes (blank entry, own node record) are applied once a read passes.
        metasrv::GetReply r;
        metasrv::GetRequest g;
        g.set_key("__probe");
        grpc::ClientContext ctx;
        if (stub_->Get(&ctx, g, &r).ok()) return true;
      }
      if (Exited()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Starts metasrv with `extra` flags; returns once it listens (its address file is written),
  // with no first call: for a test that watches the node's files from its start. A first call
  // may be answered only after what the test wants to catch (a snapshot streamed to the node
  // as soon as it listens, on a loaded machine, can be received before its first Status reply).
  bool Spawn(const std::vector<std::string>& extra = {}) {
    Launch(extra);
    return !Exited();
  }

  // Starts metasrv with `extra` flags; waits until it answers Status in any role (up to 15 s):
  // for a member of a multi-node cluster, which cannot become leader on its own.
  bool StartServing(const std::vector<std::string>& extra = {}) {
    Launch(extra);
    for (int i = 0; i < 300; ++i) {
      metasrv::StatusReply s;
      if (StatusRpc(&s).ok()) return true;
      if (Exited()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // True (and forgets the pid) if the process has exited.
  bool Exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    return false;
  }

 private:
  void Launch(const std::vector<std::string>& extra) {
    // Port 0 until a port is known (then a restart, whose dir records it, gives it again).
    auto addr = [](int port) { return port == 0 ? std::string("127.0.0.1:0") : Addr(port); };
    const std::string address_file = dir_ + ".addr";
    std::remove(address_file.c_str());
    std::vector<std::string> args = {METASRV_BIN, "--id", std::to_string(id_), "--raft-dir", dir_,
                                     "--grpc-api-address", addr(grpc_port_), "--raft-address", addr(raft_port_),
                                     "--address-file", address_file};
    args.insert(args.end(), extra.begin(), extra.end());
    log_ = dir_ + ".log";
    // posix_spawn, not fork(): fork() runs gRPC's pthread_atfork handlers, which can stall the
    // parent for seconds once it has channels; glibc's posix_spawn runs no fork handlers.
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    pid_ = pid;
    // The address file appears (whole: it is renamed into place) once the node serves; create
    // the channel only then: a channel whose first attempts were refused can stay in backoff for
    // seconds after the server is up. Bounded (30 s) for a node that hangs while starting.
    for (int i = 0; i < 1500 && !Exited(); ++i) {
      const std::string text = ReadFile(address_file);
      if (!text.empty()) {
        grpc_port_ = PortIn(text, "grpc_api_address=");
        raft_port_ = PortIn(text, "raft_address=");
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // A fresh channel per start; it reconnects fast (gRPC's default backoff grows to minutes).
    grpc::ChannelArguments ca;
    ca.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    ca.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    ca.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
    channel_ = grpc::CreateCustomChannel(Addr(grpc_port_), grpc::InsecureChannelCredentials(), ca);
    stub_ = metasrv::Meta::NewStub(channel_);
  }

 public:

  // SIGTERM and wait; returns the exit code.
  int Stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  void Kill9() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  grpc::Status StatusRpc(metasrv::StatusReply* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    return stub_->Status(&ctx, metasrv::StatusRequest(), out);
  }

  metasrv::Meta::Stub& stub() { return *stub_; }
  std::string addr() { return Addr(grpc_port()); }
  // Before the first start: picks the ports (FreePort, with its race) for a test that needs
  // them in advance (--initial-cluster); the start then uses them.
  // Both at once: a dir seeded with one of them refuses port 0 for the other.
  int raft_port() {
    Reserve();
    return raft_port_;
  }
  int grpc_port() {
    Reserve();
    return grpc_port_;
  }
  void Reserve() {
    if (raft_port_ == 0) raft_port_ = FreePort();
    if (grpc_port_ == 0) grpc_port_ = FreePort();
  }
  // Forgets the ports: the next raft_port()/grpc_port() or start chooses new ones.
  void ForgetPorts() { grpc_port_ = raft_port_ = 0; }
  // Exit code of a start that failed (after Start/StartServing returned false), else -1.
  int exit_code() const { return exit_code_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  std::string log() const { return ReadFile(log_); }

 private:
  std::string dir_;
  int id_;
  int grpc_port_ = 0, raft_port_ = 0;  // 0: not known yet
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<metasrv::Meta::Stub> stub_;
};

// Deadline-bounded unary call helper.
template <typename Req, typename Rep, typename F>
grpc::Status Call(F f, const Req& req, Rep* rep, int seconds = 10) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return f(&ctx, req, rep);
}

// Waits until every running node of `ids` agrees on one leader (same term), that leader is
// running and reports itself as leader; returns its id (0 on timeout).
inline int WaitLeader(const std::map<int, std::unique_ptr<Metasrv>>& nodes, const std::vector<int>& ids,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  do {
    int leader = 0;
    uint64_t term = 0;
    bool agreed = true;
    for (int id : ids) {
      Metasrv& n = *nodes.at(id);
      if (n.pid() <= 0) continue;
      metasrv::StatusReply s;
      if (!n.StatusRpc(&s).ok() || s.leader_id() == 0) {
        agreed = false;
        break;
      }
      if (leader == 0) {
        leader = static_cast<int>(s.leader_id());
        term = s.term();
      } else if (leader != static_cast<int>(s.leader_id()) || term != s.term()) {
        agreed = false;
        break;
      }
    }
    if (agreed && leader != 0 && nodes.count(leader) && nodes.at(leader)->pid() > 0) {
      metasrv::StatusReply s;
      if (nodes.at(leader)->StatusRpc(&s).ok() && s.role() == "leader") return leader;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < until);
  return 0;
}

// metasrv's exit code when it cannot listen on an address (raftstore/server/listen.h).
inline constexpr int kExitCannotListen = 3;

// For nodes whose addresses are recorded before they bind (a dir seeded by `metactl import
// --initial-cluster`): their ports come from FreePort, free a moment ago, so another process
// may take one in between. `seed_and_start` seeds the dirs for the nodes' current ports and
// starts them, returning "" or why it failed. When it fails because a node exited with
// kExitCannotListen (typed; no message is read), every node is killed, its dir removed and its
// ports forgotten, and all is redone with new ports (up to 5 times), so that race cannot fail a
// test. Returns "" on success, else why.
inline std::string RetryWhilePortTaken(const std::vector<Metasrv*>& nodes,
                                       const std::function<std::string()>& seed_and_start) {
  for (int attempt = 1;; ++attempt) {
    std::string error = seed_and_start();
    if (error.empty()) return "";
    bool port_taken = false;
    for (Metasrv* n : nodes) port_taken |= n->exit_code() == kExitCannotListen;
    if (!port_taken || attempt == 5) return error;
    std::cerr << "a port picked for a seeded node was taken before the node bound it: new ports, attempt "
              << attempt + 1 << "\n";
    for (Metasrv* n : nodes) {
      n->Kill9();
      std::filesystem::remove_all(n->dir());
      n->ForgetPorts();
    }
  }
}

}  // namespace testutil
