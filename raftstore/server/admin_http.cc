#include "raftstore/server/admin_http.h"

#include <filesystem>

#include <google/protobuf/util/json_util.h>
#include <nlohmann/json.hpp>

#include "raftstore/common/file_util.h"
#include "raftstore/http/metrics_text.h"

namespace raftstore::server {

using raftstore::Result;
using raftstore::Status;

namespace {

// Bytes of the files under the raft dir (RocksDB's SSTs, WAL, manifests).
uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code fec;
    if (it->is_regular_file(fec)) total += it->file_size(fec);
  }
  return total;
}

}  // namespace

Result<std::unique_ptr<AdminHttp>> AdminHttp::Start(const ServerConfig& cfg, const NodeSlot& slot,
                                                    const MetaService& service) {
  http::HttpServerOptions o;
  o.address = cfg.admin_address;
  o.address_flag = "--admin-address";
  o.cert_file = cfg.cert_file;
  o.key_file = cfg.key_file;
  o.ca_file = cfg.trusted_ca_file;
  o.client_cert_auth = cfg.client_cert_auth;
  if (!cfg.http_token_file.empty()) {
    RS_ASSIGN_OR_RETURN(o.token, http::ReadTokenFile(cfg.http_token_file));
  }
  std::unique_ptr<AdminHttp> a(new AdminHttp(slot, service));
  RS_ASSIGN_OR_RETURN(a->server_, http::HttpServer::Create(std::move(o)));
  a->Register();
  RS_RETURN_IF_ERROR(a->server_->Start());
  return a;
}

void AdminHttp::Register() {
  httplib::Server& r = server_->routes();
  r.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    node::RaftNode* node = slot_.TryGet();
    if (node == nullptr) return http::JsonError(res, 503, "metasrv is opening its raft dir");
    res.set_content(Metrics(*node), http::kMetricsContentType);
  });
  r.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    node::RaftNode* node = slot_.TryGet();
    if (node == nullptr) return http::JsonError(res, 503, "metasrv is opening its raft dir");
    const node::NodeStatusView s = node->GetStatus();
    std::string why;
    if (s.leader_id == 0) {
      why = "no leader is known";
    } else if (s.committed > s.last_applied + kHealthyApplyLag) {
      why = "applying is " + std::to_string(s.committed - s.last_applied) +
            " entries behind committing";
    }
    nlohmann::json j = {{"healthy", why.empty()}, {"role", s.role}, {"leader_id", s.leader_id},
                        {"term", s.term},         {"committed", s.committed},
                        {"last_applied", s.last_applied}};
    if (!why.empty()) j["reason"] = why;
    res.status = why.empty() ? 200 : 503;
    res.set_content(j.dump(), "application/json");
  });
  r.Get("/v1/status", [this](const httplib::Request&, httplib::Response& res) {
    if (slot_.TryGet() == nullptr) return http::JsonError(res, 503, "metasrv is opening its raft dir");
    metasrv::StatusReply reply;
    if (Status st = service_.FillStatus(&reply); !st.ok()) {
      return http::JsonError(res, http::HttpStatusFor(st), st.message());
    }
    std::string json;
    google::protobuf::util::JsonPrintOptions po;
    po.always_print_primitive_fields = true;
    po.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(reply, &json, po);
    res.set_content(json, "application/json");
  });
}

std::string AdminHttp::Metrics(node::RaftNode& node) const {
  const node::NodeStatusView s = node.GetStatus();
  const node::WritePathCounters& c = s.counters;
  http::MetricsText m;
  std::vector<std::pair<http::MetricsText::Labels, double>> roles;
  for (const char* role : {"leader", "follower", "candidate", "learner"}) {
    roles.push_back({{{"role", role}}, s.role == role ? 1.0 : 0.0});
  }
  m.Gauges("metasrv_role", "This node's raft role (1 for the current one).", roles);
  m.Gauge("metasrv_is_leader", "1 when this node is the leader.", s.role == "leader" ? 1 : 0);
  m.Gauge("metasrv_leader_id", "The leader this node knows (0: none).", static_cast<double>(s.leader_id));
  m.Gauge("metasrv_term", "The current raft term.", static_cast<double>(s.term));
  m.Counter("metasrv_leader_changes_total", "Times this node saw a new leader.", static_cast<double>(c.leader_changes));
  m.Gauge("metasrv_last_log_index", "Index of the last raft log entry.", static_cast<double>(s.last_log_index));
  m.Gauge("metasrv_committed_index", "The raft commit index.", static_cast<double>(s.committed));
  m.Gauge("metasrv_applied_index", "The last index applied to the state machine.", static_cast<double>(s.last_applied));
  m.Gauge("metasrv_purged_index", "The log is purged up to this index (the last snapshot).", static_cast<double>(s.purged));
  m.Gauge("metasrv_voters", "Voters in the membership.", static_cast<double>(s.voters.size()));
  m.Counter("metasrv_proposals_total", "Log entries this node appended as leader.", static_cast<double>(c.proposals));
  m.Counter("metasrv_ready_batches_total", "Readies the raft thread handled.", static_cast<double>(c.ready_batches));
  m.Counter("metasrv_fsyncs_total", "Synced writes of the raft log.", static_cast<double>(c.fsyncs));
  m.Counter("metasrv_entries_applied_total", "Log entries applied to the state machine.", static_cast<double>(c.entries_applied));
  m.Histogram("metasrv_ready_batch_entries", "Log entries per persisted Ready (the group-commit batch).", c.ready_entries);
  m.Histogram("metasrv_log_persist_seconds", "Time of each synced write of the raft log.", c.persist_seconds);
  m.Histogram("metasrv_apply_batch_seconds", "Time of each state machine apply batch.", c.apply_seconds);
  m.Counter("metasrv_snapshots_sent_total", "Snapshot transfers completed as leader.", static_cast<double>(s.snapshots_sent));
  m.Counter("metasrv_snapshots_installed_total", "Snapshots installed from a leader.", static_cast<double>(s.snapshots_installed));
  m.Gauge("metasrv_keys_estimate", "Keys in the raft dir (RocksDB's estimate; internal records included).",
          static_cast<double>(node.dir().EstimateKeys()));
  m.Gauge("metasrv_db_size_bytes", "Bytes of the files in the raft dir.", static_cast<double>(DirBytes(node.dir().path())));
  m.Gauge("metasrv_export_streams", "Export streams being sent now.", static_cast<double>(service_.exports_active()));
  m.Counter("metasrv_export_streams_total", "Export streams started.", static_cast<double>(service_.exports_total()));
  return m.Render();
}

}  // namespace raftstore::server
