// The gRPC client of metasrv's client API (proto/meta.proto, service metasrv.Meta), used by
// metactl's live commands and by metasrv itself where it talks to a peer's client API (--join).
//
// Contract:
//  - Connect() tries the given addresses in order and keeps the first one whose Status RPC
//    answers within a short probe deadline. Dial() makes a client of one address without a probe
//    (for a caller that retries by itself).
//  - Every call has a deadline (`timeout`) and returns a raftstore::Status/Result. Its code is the
//    server's own (NotLeader, AlreadyMember, Busy, ... carried across the wire, see
//    raftstore/rpc/grpc_status.h); a failure of the transport is Unavailable, a deadline
//    OutcomeUnknown (a write may have been applied: docs/cluster.md, "Writes whose outcome is
//    unknown"); a failed TLS handshake Aborted (no retry can help), its message saying what
//    failed (rpc/tls_probe.h). A call that changes something is sent only on a connected channel, and its
//    transport failure after that is OutcomeUnknown too. A status the server answered is never
//    taken for a transport failure. Never
//    classify an error by its message: the message is for people and says what happened and where:
//      no metasrv answers at A, B: <why, per address>
//      cannot reach metasrv at A: <transport error>
//      timed out after 10s waiting for A (RPC Get)
//      metasrv at A refused Upsert: INVALID_ARGUMENT: key is empty
//  - Streaming calls (List, Export) time out when no message arrives for `timeout` (not for the
//    whole stream, which may legitimately take long); Watch never times out while connected.
//  - Auth (docs/auth.md): after SetCredentials(), every MetaClient of the process sends
//    `authorization: Bearer TOKEN` with each call. The token comes from Authenticate (made by
//    the first call that needs one, again when the cached one is within a tenth of its lifetime
//    of expiring, and again after DropToken()); it is shared by the whole process, as a token
//    is good on every node of a cluster. A server with auth disabled gives no token and none is
//    sent. Without credentials nothing is sent (a server with auth enabled then refuses with
//    Unauthenticated, saying how to log in); Connect's probe takes such a refusal as an answer.
//  - A MetaClient is for one thread at a time (the stub itself is thread-safe; the probe reply
//    is not updated after Connect).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "meta.grpc.pb.h"
#include "meta.pb.h"
#include "raftstore/common/status.h"

namespace raftstore::client {

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

  // A client of `addr` alone, without a probe: the first call connects. For a caller that
  // retries by itself: the channel reconnects within a second after the server comes back.
  static std::unique_ptr<MetaClient> Dial(const std::string& addr, std::chrono::milliseconds timeout);

  // The user and password every call of this process logs in with (metactl --user). Set
  // before the first call; the password stays in memory only.
  static void SetCredentials(std::string user, std::string password);
  // Forgets the cached token (a call refused as Unauthenticated: it expired or was revoked).
  // True when there are credentials to log in again with and a token was dropped.
  static bool DropToken();

  // The address in use.
  const std::string& address() const { return addr_; }
  // The deadline of each call from now on (a retrying caller gives each attempt the time left).
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  // The Status reply of the probe that selected this address (without the key count).
  const metasrv::StatusReply& probe_status() const { return probe_status_; }

  // count_keys: also the number of keys, which the server counts by reading every key
  // (StatusRequest.skip_key_count); without it num_keys is 0.
  raftstore::Result<metasrv::StatusReply> GetStatus(bool count_keys = true);
  raftstore::Result<metasrv::MemberListReply> MemberList();
  raftstore::Result<metasrv::GetReply> Get(const std::string& key);
  raftstore::Result<metasrv::UpsertReply> Upsert(const metasrv::UpsertRequest& req);
  raftstore::Result<metasrv::TransferLeaderReply> TransferLeader(uint64_t to);
  raftstore::Result<metasrv::MembershipChangeReply> AddMember(const metasrv::AddMemberRequest& req);
  raftstore::Result<metasrv::MembershipChangeReply> RemoveMember(uint64_t id);
  // Snapshot on the node at address() itself (not forwarded to the leader).
  raftstore::Result<metasrv::TriggerSnapshotReply> TriggerSnapshot();

  // Users and auth (proto/meta.proto). Authenticate is also what SetCredentials uses.
  raftstore::Result<metasrv::AuthenticateReply> Authenticate(const std::string& user, const std::string& password);
  raftstore::Result<metasrv::AuthStatusReply> AuthStatus();
  raftstore::Result<metasrv::AuthStatusReply> AuthEnable(bool enable);
  raftstore::Result<metasrv::UserListReply> UserList();
  raftstore::Status UserAdd(const std::string& name, const std::string& password, const std::string& role);
  raftstore::Status UserRemove(const std::string& name);
  raftstore::Status UserChangePassword(const std::string& name, const std::string& password);

  // Calls `on_kv` for every key of the prefix (in key order); stops early (OK) when it returns
  // false.
  raftstore::Status List(const metasrv::ListRequest& req,
                         const std::function<bool(const metasrv::KeyValue&)>& on_kv);

  // Calls `on_chunk` for every chunk of the Export stream, footer included: whole lines, each
  // ending in '\n', as they came (it may move from the string; ForEachLine splits it), with the
  // checksum the server sent for them (ExportChunk.xxh3; none from a server that does not
  // know client_footer or was not asked for it): `on_chunk` checks it (ChunkChecksum,
  // chunk_lines.h), on whichever thread it hands the chunk to. Asks for ExportRequest.as_data;
  // lines from an older server are joined the same way. A non-OK Status from `on_chunk` cancels
  // the stream and is returned as is. A request with prefixes is refused (Aborted, before any
  // chunk is passed on) when the server does not confirm that it applied them: a server older
  // than the prefix filters sends everything.
  // With req.client_footer: *end_lines is set to ExportChunk.total_lines when the server ended
  // the stream with its end marker, and left empty by a server that sends the footer line
  // instead (older than the field). A stream with checksums but no end marker, or anything
  // after the marker, is Corruption.
  using ExportChunkFn = std::function<raftstore::Status(std::string& data, std::optional<uint64_t> xxh3)>;
  raftstore::Status ExportChunks(metasrv::ExportRequest req, const ExportChunkFn& on_chunk,
                                 std::optional<uint64_t>* end_lines = nullptr);

  // Calls `on_event` for every event until `stop` becomes true (polled every 100 ms; the
  // stream is then cancelled and OK is returned), `on_event` returns false, or the stream fails.
  raftstore::Status Watch(const metasrv::WatchRequest& req,
                          const std::function<bool(const metasrv::WatchEvent&)>& on_event,
                          const std::atomic<bool>& stop);

 private:
  // Turns a failed gRPC status of `rpc` into a Status (see the top of this file).
  raftstore::Status Error(const grpc::Status& st, const char* rpc,
                          std::chrono::milliseconds waited) const;
  // Calls that change something (Upsert, TransferLeader, AddMember, RemoveMember,
  // TriggerSnapshot) are sent only on a connected channel: AwaitSendable() is Unavailable ("was
  // not sent") when it does not connect by the call's deadline, and ChangeError() reports a
  // transport failure after sending as OutcomeUnknown, never as Unavailable, so that no retry
  // (retry.h) resends what may have been carried out.
  raftstore::Status AwaitSendable(const grpc::ClientContext& ctx, const char* rpc) const;
  raftstore::Status ChangeError(const grpc::Status& st, const char* rpc) const;

  MetaClient(std::string addr, std::shared_ptr<grpc::Channel> channel,
             std::chrono::milliseconds timeout);
  void SetDeadline(grpc::ClientContext& ctx) const;
  // The token of the process's credentials on `ctx` (authenticating first when needed).
  raftstore::Status AddToken(grpc::ClientContext& ctx);
  // SetDeadline and AddToken.
  raftstore::Status Prepare(grpc::ClientContext& ctx);

  std::string addr_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<metasrv::Meta::Stub> stub_;
  std::chrono::milliseconds timeout_;
  metasrv::StatusReply probe_status_;
};

}  // namespace raftstore::client
