#include "raftstore/server/meta_service.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "raftstore/common/deadline.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/export_format/chunk_lines.h"
#include "raftstore/export_format/export_chunk_writer.h"
#include "raftstore/rpc/channel.h"
#include "raftstore/rpc/grpc_status.h"
#include "raftstore/server/leader_route.h"
#include "raftstore/server/reserved_keys.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/record_stream.h"

#ifndef METASRV_VERSION
#define METASRV_VERSION "unknown"
#endif

namespace raftstore::server {

using node::RaftNode;

using rpc::ToGrpc;

#define RETURN_GRPC_IF_ERROR(expr)              \
  do {                                          \
    ::raftstore::Status _s = (expr);            \
    if (!_s.ok()) return ToGrpc(_s);            \
  } while (0)

#define AUTHORIZE(ctx, rpc)                                  \
  do {                                                       \
    if (grpc::Status _a = Authorize(*(ctx), (rpc)); !_a.ok()) return _a; \
  } while (0)

MetaService::MetaService(const NodeSlot& node, Limits limits, std::chrono::milliseconds request_timeout,
                         std::chrono::milliseconds token_ttl, bool certificate_users)
    : node_(node),
      authorizer_(
          [this](std::string_view key) -> Result<std::optional<std::string>> {
            RS_ASSIGN_OR_RETURN(std::optional<SeqV> v,
                                node_->state_machine().Get(std::string(key), node_->NowMs()));
            if (!v) return std::optional<std::string>();
            return std::optional<std::string>(v->data);
          },
          [this] { return node_->NowMs(); }),
      token_ttl_(token_ttl),
      certificate_users_(certificate_users),
      limits_(limits),
      timeout_(request_timeout) {}

grpc::Status MetaService::Authorize(const grpc::ServerContext& ctx, Rpc rpc) const {
  Result<Caller> caller = authorizer_.Check(BearerToken(ctx), CertificateUser(ctx), rpc);
  return caller.ok() ? grpc::Status::OK : ToGrpc(caller.status());
}

std::string MetaService::CertificateUser(const grpc::ServerContext& ctx) const {
  return certificate_users_ ? CertificateCommonName(ctx) : "";
}

std::string MetaService::ForwardedToken(const grpc::ServerContext& ctx) const {
  if (std::string token = BearerToken(ctx); !token.empty()) return token;
  const std::string user = CertificateUser(ctx);
  Result<bool> enabled = authorizer_.Enabled();
  if (user.empty() || !enabled.ok() || !*enabled) return "";
  // Authorize let this caller in a moment ago; if the user went since, the leader refuses.
  Result<std::string> token = authorizer_.TokenFor(user, static_cast<uint64_t>(token_ttl_.count()));
  return token.ok() ? *token : "";
}

grpc::Status MetaService::Get(grpc::ServerContext* ctx, const metasrv::GetRequest* req, metasrv::GetReply* reply) {
  AUTHORIZE(ctx, Rpc::kGet);
  RETURN_GRPC_IF_ERROR(CheckKey(req->key(), "key"));
  RETURN_GRPC_IF_ERROR(CheckClientKey(req->key(), "key"));
  RETURN_GRPC_IF_ERROR(node_->Barrier(TimeLeft(RequestDeadline(*ctx, timeout_))));
  auto view = node_->ReadView();
  auto v = node_->state_machine().Get(req->key(), node_->NowMs(), view.get());
  if (!v.ok()) return ToGrpc(v.status());
  if (*v) ToProto(**v, reply->mutable_value());
  return grpc::Status::OK;
}

grpc::Status MetaService::MGet(grpc::ServerContext* ctx, const metasrv::MGetRequest* req, metasrv::MGetReply* reply) {
  AUTHORIZE(ctx, Rpc::kMGet);
  for (int i = 0; i < req->keys_size(); ++i) {
    const std::string what = "keys[" + std::to_string(i) + "]";
    RETURN_GRPC_IF_ERROR(CheckKey(req->keys(i), what));
    RETURN_GRPC_IF_ERROR(CheckClientKey(req->keys(i), what));
  }
  RETURN_GRPC_IF_ERROR(node_->Barrier(TimeLeft(RequestDeadline(*ctx, timeout_))));
  auto view = node_->ReadView();  // one point in time for every key
  const uint64_t now = node_->NowMs();
  for (const auto& key : req->keys()) {
    auto v = node_->state_machine().Get(key, now, view.get());
    if (!v.ok()) return ToGrpc(v.status());
    auto* out = reply->add_values();
    if (*v) ToProto(**v, out->mutable_value());
  }
  return grpc::Status::OK;
}

grpc::Status MetaService::List(grpc::ServerContext* ctx, const metasrv::ListRequest* req,
                               grpc::ServerWriter<metasrv::KeyValue>* writer) {
  AUTHORIZE(ctx, Rpc::kList);
  RETURN_GRPC_IF_ERROR(CheckClientPrefix(req->prefix(), "prefix", /*reaches_in=*/false));
  RETURN_GRPC_IF_ERROR(node_->Barrier(TimeLeft(RequestDeadline(*ctx, timeout_))));
  auto view = node_->ReadView();
  bool cancelled = false;
  uint64_t sent = 0;  // the limit counts the keys sent: reserved ones are skipped, not counted
  RETURN_GRPC_IF_ERROR(node_->state_machine().List(
      req->prefix(), node_->NowMs(), 0, [&](const std::string& key, const SeqV& v) {
        if (Hidden(key)) return true;
        if (req->limit() != 0 && sent == req->limit()) return false;
        ++sent;
        metasrv::KeyValue kv;
        kv.set_key(key);
        ToProto(v, kv.mutable_value());
        if (ctx->IsCancelled() || !writer->Write(kv)) cancelled = true;
        return !cancelled;
      },
      view.get()));
  return cancelled ? grpc::Status(grpc::StatusCode::CANCELLED, "client went away") : grpc::Status::OK;
}

namespace {
constexpr char kForwardedBy[] = "x-metasrv-forwarded-by";

// Whether another node forwarded this request here (it carries kForwardedBy).
bool IsForwarded(const grpc::ServerContext& ctx) { return ctx.client_metadata().count(kForwardedBy) != 0; }
}  // namespace

std::optional<LeaderRef> MetaService::Leader(grpc::ServerContext* ctx) {
  node::NodeStatusView s = node_->GetStatus();
  if (s.leader_id == 0 || s.leader_id == s.id) return std::nullopt;
  // Forwarded once already: the sender thought this node leads. Answer here (Unavailable
  // naming the leader) rather than bounce the request on.
  if (IsForwarded(*ctx)) return std::nullopt;
  auto read = ReadNode(node_->dir(), s.leader_id);
  if (!read.ok()) return std::nullopt;
  const std::optional<Node>& leader = *read;
  if (!leader || !leader->grpc_api_advertise_address || leader->grpc_api_advertise_address->empty()) {
    return std::nullopt;
  }
  LeaderRef ref;
  ref.id = s.leader_id;
  ref.addr = *leader->grpc_api_advertise_address;
  std::lock_guard<std::mutex> lock(stubs_mu_);
  LeaderConn& conn = stubs_[ref.addr];
  if (!conn.stub) {
    conn.channel = rpc::NewChannel(ref.addr, {.fast_reconnect = true, .unlimited_send = true, .unlimited_receive = true});
    conn.stub = metasrv::Meta::NewStub(conn.channel);
  }
  ref.channel = conn.channel;
  ref.stub = conn.stub.get();
  return ref;
}

template <typename Req, typename Rep, typename Fn>
grpc::Status MetaService::Forward(const grpc::ServerContext& ctx, const Req& req, Rep* reply, const LeaderRef& leader,
                                  Fn call, std::chrono::steady_clock::time_point until) {
  grpc::ClientContext fwd;
  const auto deadline = std::chrono::system_clock::now() +
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::max(until - std::chrono::steady_clock::now(), std::chrono::steady_clock::duration::zero()));
  fwd.set_deadline(deadline);
  fwd.AddMetadata(kForwardedBy, std::to_string(node_->options().id));
  if (const std::string token = ForwardedToken(ctx); !token.empty()) {
    fwd.AddMetadata(kAuthorizationHeader, "Bearer " + token);
  }
  // Whether the call can have reached the leader decides what a failure means (forward.h).
  const bool connected = rpc::AwaitConnected(leader.channel.get(), deadline);
  grpc::Status st = call(leader.stub, &fwd, req, reply);
  return st.ok() ? st : ForwardedStatus(st, connected, node_->options().id, leader);
}

template <typename Req, typename Rep, typename Fn>
grpc::Status MetaService::Route(grpc::ServerContext* ctx, const Req& req, Rep* reply, Fn call,
                                const std::function<raftstore::Status(std::chrono::milliseconds)>& local) {
  const auto until = RequestDeadline(*ctx, timeout_);
  LeaderRoute route;
  route.forwarded = IsForwarded(*ctx);
  route.leader = [&] { return Leader(ctx); };
  route.forward = [&](const LeaderRef& l) {
    reply->Clear();
    return Forward(*ctx, req, reply, l, call, until);
  };
  route.local = local;
  route.cancelled = [&] { return ctx->IsCancelled() || shutting_down_.load(); };
  return RouteToLeader(*node_.operator->(), route, until);
}

grpc::Status MetaService::RouteCall(grpc::ServerContext* ctx, google::protobuf::Message* reply,
                                    const std::function<grpc::Status(metasrv::Meta::Stub*, grpc::ClientContext*)>& forward,
                                    const std::function<raftstore::Status(std::chrono::milliseconds)>& local) {
  struct NoRequest {};  // `forward` holds the request
  auto call = [&](metasrv::Meta::Stub* s, grpc::ClientContext* c, const NoRequest&, google::protobuf::Message*) {
    return forward(s, c);
  };
  return Route(ctx, NoRequest{}, reply, call, local);
}

grpc::Status MetaService::Upsert(grpc::ServerContext* ctx, const metasrv::UpsertRequest* req,
                                 metasrv::UpsertReply* reply) {
  AUTHORIZE(ctx, Rpc::kUpsert);
  RETURN_GRPC_IF_ERROR(CheckClientRequest(*req));
  auto cmd = ToUpsert(*req, limits_);
  if (!cmd.ok()) return ToGrpc(cmd.status());
  auto call = [](metasrv::Meta::Stub* s, grpc::ClientContext* c, const metasrv::UpsertRequest& q,
                 metasrv::UpsertReply* p) { return s->Upsert(c, q, p); };
  grpc::Status st = Route(ctx, *req, reply, call, [&](std::chrono::milliseconds left) -> raftstore::Status {
    auto r = node_->Propose(*cmd, left);
    if (!r.ok()) return r.status();
    ToProto(std::get<UpsertResult>(r->detail), reply);
    return raftstore::Status::OK();
  });
  // Applied here for another node (a forwarded request is never forwarded again).
  if (st.ok() && reply->applied() && IsForwarded(*ctx) &&
      TestForwardedUpsertReplyDelay().count() > 0) {
    std::this_thread::sleep_for(TestForwardedUpsertReplyDelay());  // TEST ONLY (forward.h)
  }
  return st;
}

grpc::Status MetaService::Transaction(grpc::ServerContext* ctx, const metasrv::TxnRequest* req,
                                      metasrv::TxnReply* reply) {
  AUTHORIZE(ctx, Rpc::kTransaction);
  RETURN_GRPC_IF_ERROR(CheckClientRequest(*req));
  auto txn = ToTransaction(*req, limits_);
  if (!txn.ok()) return ToGrpc(txn.status());
  auto call = [](metasrv::Meta::Stub* s, grpc::ClientContext* c, const metasrv::TxnRequest& q,
                 metasrv::TxnReply* p) { return s->Transaction(c, q, p); };
  return Route(ctx, *req, reply, call, [&](std::chrono::milliseconds left) -> raftstore::Status {
    auto r = node_->Propose(*txn, left);
    if (!r.ok()) return r.status();
    ToProto(std::get<TxnResult>(r->detail), reply);
    return raftstore::Status::OK();
  });
}

grpc::Status MetaService::Watch(grpc::ServerContext* ctx, const metasrv::WatchRequest* req,
                                grpc::ServerWriter<metasrv::WatchEvent>* writer) {
  AUTHORIZE(ctx, Rpc::kWatch);
  RETURN_GRPC_IF_ERROR(CheckClientPrefix(req->prefix(), "prefix", /*reaches_in=*/false));
  RETURN_GRPC_IF_ERROR(CheckClientKey(req->key(), "key"));
  auto spec = ToWatchSpec(*req);
  if (!spec.ok()) return ToGrpc(spec.status());
  const node::KeyRange range = spec->range;
  const std::string list_prefix = spec->list_prefix;  // what the initial flush scans
  // Subscribe before the flush, so no change falls between the two.
  const uint64_t after = req->start_after_index();
  std::shared_ptr<node::Watcher> watcher;
  if (after == 0) {
    watcher = node_->watch_hub().Subscribe(range);
  } else {
    auto resumed = node_->watch_hub().Resume(range, after);
    if (!resumed.ok()) return ToGrpc(resumed.status());
    watcher = std::move(resumed).value();
  }
  struct Unsub {
    node::WatchHub& hub;
    std::shared_ptr<node::Watcher> w;
    ~Unsub() { hub.Unsubscribe(w); }
  } unsub{node_->watch_hub(), watcher};

  if (req->initial_flush()) {
    RETURN_GRPC_IF_ERROR(node_->Barrier(timeout_));
    auto view = node_->ReadView();
    bool ok = true;
    RETURN_GRPC_IF_ERROR(node_->state_machine().List(list_prefix, node_->NowMs(), 0,
                                                     [&](const std::string& key, const SeqV& v) {
                                                       if (!range.Contains(key) || Hidden(key)) return true;
                                                       metasrv::WatchEvent e;
                                                       e.set_key(key);
                                                       ToProto(v, e.mutable_current());
                                                       e.set_initial(true);
                                                       ok = writer->Write(e);
                                                       return ok;
                                                     },
                                                     view.get()));
    if (!ok) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  while (!ctx->IsCancelled() && !shutting_down_) {
    bool overflowed = false;
    auto ev = watcher->Pop(std::chrono::milliseconds(200), &overflowed);
    if (overflowed) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "this watcher missed changes (it fell too far behind, or the node installed a snapshot); "
                          "watch again (with initial_flush)");
    }
    if (!ev || ev->log_index <= after) continue;  // <= after: this node is behind the resumed stream
    if (Hidden(ev->key)) continue;  // a range spanning the reserved keys never shows them
    metasrv::WatchEvent e;
    e.set_key(ev->key);
    if (ev->prev) ToProto(*ev->prev, e.mutable_prev());
    if (ev->current) ToProto(*ev->current, e.mutable_current());
    e.set_log_index(ev->log_index);
    if (!writer->Write(e)) break;
  }
  return shutting_down_ ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "metasrv is shutting down") : grpc::Status::OK;
}

grpc::Status MetaService::Export(grpc::ServerContext* ctx, const metasrv::ExportRequest* req,
                                 grpc::ServerWriter<metasrv::ExportChunk>* writer) {
  AUTHORIZE(ctx, Rpc::kExport);
  ++exports_total_;
  ++exports_active_;
  struct Done {
    std::atomic<uint64_t>& active;
    ~Done() { --active; }
  } done{exports_active_};
  Result<KeyFilter> filter = ToKeyFilter(*req);
  if (!filter.ok()) return ToGrpc(filter.status());
  if (req->client_footer() && !req->as_data()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "ExportRequest.client_footer needs as_data");
  }
  bool gone = false;
  // Encoded on this thread; hashed and sent on the writer's output thread. A blocking Write()
  // is the flow control: the writer stops encoding when two chunks wait to be sent.
  // With the footer unless the client makes it (client_footer): then nothing hashes the stream
  // here, and each chunk carries the checksum of its bytes instead.
  ExportChunkWriter::Options options;
  options.footer = !req->client_footer();
  options.chunk_bytes = req->chunk_bytes() ? req->chunk_bytes() : ExportChunkWriter::kDefaultChunkBytes;
  if (req->chunk_size()) options.chunk_lines = req->chunk_size();
  metasrv::ExportChunk chunk;
  ExportChunkWriter stream(options, [&](std::string& lines) -> raftstore::Status {
    chunk.Clear();
    chunk.set_filtered(!filter->empty());  // tells the client this server applied the prefixes
    if (req->client_footer()) chunk.set_xxh3(raftstore::ChunkChecksum(lines));
    if (req->as_data()) {
      chunk.set_data(std::move(lines));
    } else {  // a client older than as_data: one string per line, without its '\n'
      RS_RETURN_IF_ERROR(ForEachLine(lines, [&](std::string_view line, size_t) {
        chunk.add_lines(line.data(), line.size());
        return raftstore::Status::OK();
      }));
    }
    RS_FAILPOINT("export-send-chunk");
    if (ctx->IsCancelled() || !writer->Write(chunk)) {
      gone = true;
      return raftstore::Status::Aborted("client went away");
    }
    return raftstore::Status::OK();
  });
  // ForEachRecord reads one RocksDB snapshot: one point in time while writes go on.
  auto view = node_->ReadView();
  raftstore::Status st = ForEachRecord(node_->dir(), view.get(), [&](const Record& rec) {
    if (!filter->Keep(rec)) return raftstore::Status::OK();  // not written: the footer skips it too
    return stream.Add(rec);
  });
  if (st.ok()) st = stream.Finish();
  if (st.ok() && req->client_footer()) {  // the end marker: without it the client sees a cut stream
    chunk.Clear();
    chunk.set_filtered(!filter->empty());
    chunk.set_end(true);
    chunk.set_total_lines(stream.records());
    if (ctx->IsCancelled() || !writer->Write(chunk)) gone = true;
  }
  if (gone) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  RETURN_GRPC_IF_ERROR(st);
  return grpc::Status::OK;
}

grpc::Status MetaService::Status(grpc::ServerContext* ctx, const metasrv::StatusRequest* req, metasrv::StatusReply* reply) {
  AUTHORIZE(ctx, Rpc::kStatus);
  RETURN_GRPC_IF_ERROR(FillStatus(reply, !req->skip_key_count()));
  return grpc::Status::OK;
}

raftstore::Status MetaService::FillStatus(metasrv::StatusReply* reply, bool count_keys) const {
  node::NodeStatusView s = node_->GetStatus();
  reply->set_id(s.id);
  reply->set_raft_address(node_->options().raft_address);
  reply->set_grpc_address(node_->options().grpc_address);
  reply->set_role(s.role);
  reply->set_leader_id(s.leader_id);
  reply->set_term(s.term);
  reply->set_last_log_index(s.last_log_index);
  reply->set_last_applied(s.last_applied);
  reply->set_committed(s.committed);
  reply->set_purged(s.purged);
  reply->set_last_snapshot(s.purged);
  reply->set_snapshots_sent(s.snapshots_sent);
  reply->set_snapshots_installed(s.snapshots_installed);
  const node::WritePathCounters& c = s.counters;
  reply->set_proposals(c.proposals);
  reply->set_ready_batches(c.ready_batches);
  reply->set_persist_batches(c.persist_batches);
  reply->set_entries_persisted(c.entries_persisted);
  reply->set_fsyncs(c.fsyncs);
  reply->set_apply_batches(c.apply_batches);
  reply->set_entries_applied(c.entries_applied);
  reply->set_apply_us(c.apply_us);
  for (uint64_t v : s.voters) reply->add_voters(v);
  for (uint64_t l : s.learners) reply->add_learners(l);
  if (count_keys) {
    uint64_t n = 0;
    auto view = node_->ReadView();
    RS_RETURN_IF_ERROR(node_->state_machine().List(
        "", node_->NowMs(), 0,
        [&](const std::string& key, const SeqV&) {
          n += Hidden(key) ? 0 : 1;
          return true;
        },
        view.get()));
    reply->set_num_keys(n);
  }
  reply->set_data_version(RaftDir::DataVersion());
  reply->set_binary_version(METASRV_VERSION);
  return raftstore::Status::OK();
}

grpc::Status MetaService::MemberList(grpc::ServerContext* ctx, const metasrv::MemberListRequest*,
                                     metasrv::MemberListReply* reply) {
  AUTHORIZE(ctx, Rpc::kMemberList);
  node::NodeStatusView s = node_->GetStatus();
  std::set<uint64_t> ids(s.voters.begin(), s.voters.end());
  ids.insert(s.learners.begin(), s.learners.end());
  for (uint64_t id : ids) {
    auto read = ReadNode(node_->dir(), id);
    if (!read.ok()) return ToGrpc(read.status());
    const std::optional<Node>& n = *read;
    auto* m = reply->add_members();
    m->set_id(id);
    m->set_voter(std::find(s.voters.begin(), s.voters.end(), id) != s.voters.end());
    if (n) {
      m->set_name(n->name);
      m->set_raft_address(n->endpoint.addr + ":" + std::to_string(n->endpoint.port));
      if (n->grpc_api_advertise_address) m->set_grpc_address(*n->grpc_api_advertise_address);
    }
  }
  return grpc::Status::OK;
}

namespace {
void ToProto(const node::MembershipChangeResult& r, metasrv::MembershipChangeReply* reply) {
  for (uint64_t v : r.voters) reply->add_voters(v);
  for (uint64_t l : r.learners) reply->add_learners(l);
  reply->set_log_index(r.log_index);
}
}  // namespace

// Admin calls: answered by the leader; a follower forwards them like writes (nothing is
// proposed before the leader check, so a forwarded call is never carried out twice).
grpc::Status MetaService::TransferLeader(grpc::ServerContext* ctx, const metasrv::TransferLeaderRequest* req,
                                         metasrv::TransferLeaderReply* reply) {
  AUTHORIZE(ctx, Rpc::kTransferLeader);
  auto call = [](metasrv::Meta::Stub* s, grpc::ClientContext* c, const metasrv::TransferLeaderRequest& q,
                 metasrv::TransferLeaderReply* p) { return s->TransferLeader(c, q, p); };
  return Route(ctx, *req, reply, call, [&](std::chrono::milliseconds left) -> raftstore::Status {
    auto r = node_->TransferLeader(req->to(), left);
    if (!r.ok()) return r.status();
    reply->set_leader_id(*r);
    reply->set_term(node_->GetStatus().term);
    return raftstore::Status::OK();
  });
}

grpc::Status MetaService::TriggerSnapshot(grpc::ServerContext* ctx, const metasrv::TriggerSnapshotRequest*,
                                          metasrv::TriggerSnapshotReply* reply) {
  AUTHORIZE(ctx, Rpc::kTriggerSnapshot);
  auto r = node_->TriggerSnapshot(timeout_);  // this node's own log: never forwarded
  if (!r.ok()) return ToGrpc(r.status());
  reply->set_id(node_->options().id);
  reply->set_snapshot_index(r->snapshot_index);
  reply->set_purged(r->purged);
  reply->set_last_log_index(r->last_log_index);
  return grpc::Status::OK;
}

grpc::Status MetaService::Failpoint(grpc::ServerContext* ctx, const metasrv::FailpointRequest* req,
                                    metasrv::FailpointReply* reply) {
  AUTHORIZE(ctx, Rpc::kFailpoint);
  if (!failpoint::Compiled()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "node " + std::to_string(node_->options().id) +
                            " was built without failpoints (configure with -DMETASRV_FAILPOINTS=ON)");
  }
  if (raftstore::Status st = failpoint::Arm(req->spec()); !st.ok()) return ToGrpc(st);
  if (!req->spec().empty()) spdlog::warn("node {}: failpoints armed: {}", node_->options().id, failpoint::Armed());
  reply->set_armed(failpoint::Armed());
  return grpc::Status::OK;
}

grpc::Status MetaService::AddMember(grpc::ServerContext* ctx, const metasrv::AddMemberRequest* req,
                                    metasrv::MembershipChangeReply* reply) {
  AUTHORIZE(ctx, Rpc::kAddMember);
  auto call = [](metasrv::Meta::Stub* s, grpc::ClientContext* c, const metasrv::AddMemberRequest& q,
                 metasrv::MembershipChangeReply* p) { return s->AddMember(c, q, p); };
  return Route(ctx, *req, reply, call, [&](std::chrono::milliseconds left) -> raftstore::Status {
    auto r = node_->AddMember(req->id(), req->raft_address(), req->grpc_address(), req->learner(), left);
    if (!r.ok()) return r.status();
    ToProto(*r, reply);
    return raftstore::Status::OK();
  });
}

grpc::Status MetaService::RemoveMember(grpc::ServerContext* ctx, const metasrv::RemoveMemberRequest* req,
                                       metasrv::MembershipChangeReply* reply) {
  AUTHORIZE(ctx, Rpc::kRemoveMember);
  auto call = [](metasrv::Meta::Stub* s, grpc::ClientContext* c, const metasrv::RemoveMemberRequest& q,
                 metasrv::MembershipChangeReply* p) { return s->RemoveMember(c, q, p); };
  return Route(ctx, *req, reply, call, [&](std::chrono::milliseconds left) -> raftstore::Status {
    auto r = node_->RemoveMember(req->id(), left);
    if (!r.ok()) return r.status();
    ToProto(*r, reply);
    return raftstore::Status::OK();
  });
}

}  // namespace raftstore::server
