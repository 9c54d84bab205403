// A small client of a live metasrv (proto/meta.proto, service metasrv.Meta).
//
// Connect() tries the given addresses in order and keeps the first one whose Status RPC answers
// within a short probe deadline. Every call returns a raftstore::Status/Result whose message says
// what happened and where:
//   no metasrv answers at A, B: <why, per address>
//   cannot reach metasrv at A: <transport error>
//   timed out after 10s waiting for A (RPC Get)
//   metasrv at A refused Upsert: INVALID_ARGUMENT: key is empty
// Streaming calls (List, Export) time out when no message arrives for `timeout` (not for the
// whole stream, which may legitimately take long); Watch never times out while connected.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "meta.grpc.pb.h"
#include "meta.pb.h"
#include "raftstore/common/status.h"

namespace metactl::client {

inline constexpr const char* kDefaultAddress = "127.0.0.1:9191";
inline constexpr int kDefaultTimeoutSec = 10;
// The probe of each address uses min(timeout, kProbeTimeout).
inline constexpr std::chrono::milliseconds kProbeTimeout{2000};

// "10s", "250ms", "1m30s": for messages.
std::string FormatDuration(std::chrono::milliseconds d);

class MetaClient {
 public:
  // Tries `addrs` in order (empty: kDefaultAddress); the first that answers Status wins.
  static raftstore::Result<std::unique_ptr<MetaClient>> Connect(
      const std::vector<std::string>& addrs, std::chrono::milliseconds timeout,
      std::chrono::milliseconds probe_timeout = kProbeTimeout);

  // The address in use.
  const std::string& address() const { return addr_; }
  // The Status reply of the probe that selected this address.
  const metasrv::StatusReply& probe_status() const { return probe_status_; }

  raftstore::Result<metasrv::StatusReply> GetStatus();
  raftstore::Result<metasrv::MemberListReply> MemberList();
  raftstore::Result<metasrv::GetReply> Get(const std::string& key);
  raftstore::Result<metasrv::UpsertReply> Upsert(const metasrv::UpsertRequest& req);
  raftstore::Result<metasrv::TransferLeaderReply> TransferLeader(uint64_t to);
  raftstore::Result<metasrv::MembershipChangeReply> AddMember(const metasrv::AddMemberRequest& req);
  raftstore::Result<metasrv::MembershipChangeReply> RemoveMember(uint64_t id);
  // Snapshot on the node at address() itself (not forwarded to the leader).
  raftstore::Result<metasrv::TriggerSnapshotReply> TriggerSnapshot();

  // Calls `on_kv` for every key of the prefix (in key order); stops early (OK) when it returns
  // false.
  raftstore::Status List(const metasrv::ListRequest& req,
                         const std::function<bool(const metasrv::KeyValue&)>& on_kv);

  // Calls `on_line` for every line (without newline) of the Export stream, footer included;
  // a non-OK Status from `on_line` cancels the stream and is returned as is.
  raftstore::Status Export(uint32_t chunk_size,
                           const std::function<raftstore::Status(const std::string&)>& on_line);

  // Calls `on_event` for every event until `stop` becomes true (polled every 100 ms; the
  // stream is then cancelled and OK is returned), `on_event` returns false, or the stream fails.
  raftstore::Status Watch(const metasrv::WatchRequest& req,
                          const std::function<bool(const metasrv::WatchEvent&)>& on_event,
                          const std::atomic<bool>& stop);

  // Turns a failed gRPC status of `rpc` into a message (see the top of this file).
  raftstore::Status Error(const grpc::Status& st, const char* rpc,
                          std::chrono::milliseconds waited) const;

 private:
  MetaClient(std::string addr, std::shared_ptr<grpc::Channel> channel,
             std::chrono::milliseconds timeout);
  void SetDeadline(grpc::ClientContext& ctx) const;

  std::string addr_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<metasrv::Meta::Stub> stub_;
  std::chrono::milliseconds timeout_;
  metasrv::StatusReply probe_status_;
};

// Maps a failed gRPC status to a raftstore::Status for the RPC `rpc` at `addr`; `channel` (may be
// null) helps tell "cannot reach" from a server that answered UNAVAILABLE itself.
raftstore::Status GrpcError(const std::string& addr, const grpc::Status& st, const char* rpc,
                            std::chrono::milliseconds waited, grpc::Channel* channel);

}  // namespace metactl::client
