#include "metactl/agent/agent_http.h"

#include <nlohmann/json.hpp>

#include "metactl/backup_summary.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/http/metrics_text.h"

namespace metactl::agent {

using raftstore::Result;
using raftstore::Status;
using raftstore::http::JsonError;
namespace backup = raftstore::backup;

namespace {

void SendJson(httplib::Response& res, const nlohmann::ordered_json& j, int status = 200) {
  res.status = status;
  res.set_content(j.dump(), "application/json");
}

void SendStatus(httplib::Response& res, const Status& st) {
  JsonError(res, raftstore::http::HttpStatusFor(st), st.message());
}

// The body as a JSON object ("" is {}); InvalidArgument naming what is wrong.
Result<nlohmann::json> BodyObject(const httplib::Request& req) {
  if (req.body.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("the body is not a JSON object");
  }
  return j;
}

// A list of strings under `key` (absent: empty).
Result<std::vector<std::string>> Strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  if (!j[key].is_array()) return Status::InvalidArgument(std::string("\"") + key + "\" must be an array of strings");
  for (const auto& v : j[key]) {
    if (!v.is_string()) return Status::InvalidArgument(std::string("\"") + key + "\" must be an array of strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// The targets of POST /backups/{id}/restore ({id} "latest": the newest backup).
Result<RestoreTargets> ParseRestore(const std::string& id, const nlohmann::json& j) {
  RestoreTargets r;
  r.latest = id == "latest";
  r.backup_id = r.latest ? "" : id;
  for (const auto& [k, v] : j.items()) {
    if (k == "raft_dir" || k == "data_to") {
      if (!v.is_string()) return Status::InvalidArgument("\"" + k + "\" must be a string");
      (k == "raft_dir" ? r.raft_dir : r.data_to) = v.get<std::string>();
    } else if (k == "confirm" || k == "force") {
      if (!v.is_boolean()) return Status::InvalidArgument("\"" + k + "\" must be true or false");
      (k == "confirm" ? r.confirm : r.force) = v.get<bool>();
    } else if (k == "node_id") {  // 0: keep the backed-up node's id, as metactl restore
      if (!v.is_number_unsigned()) return Status::InvalidArgument("\"node_id\" must be a positive integer");
      r.node_id = v.get<uint64_t>();
    } else if (k == "initial_cluster") {
      RS_ASSIGN_OR_RETURN(r.initial_cluster, Strings(j, "initial_cluster"));
    } else {
      return Status::InvalidArgument("unknown field \"" + k + "\" (known: raft_dir, data_to, node_id, "
                                     "initial_cluster, force, confirm)");
    }
  }
  if (r.raft_dir.empty() && r.data_to.empty()) {
    return Status::InvalidArgument("nothing to restore into: give \"raft_dir\" and/or \"data_to\"");
  }
  return r;
}

void ListBackups(Agent& agent, httplib::Response& res, bool latest_only) {
  auto store = agent.options().open_store(/*for_backup=*/false);
  // A directory location is made by the first backup: before it, there is nothing to list.
  if (!store.ok() && store.status().code() == Status::Code::kNotFound && !latest_only) {
    return SendJson(res, nlohmann::ordered_json::array());
  }
  if (!store.ok()) return SendStatus(res, store.status());
  auto ids = backup::ListBackupIds(**store);
  if (!ids.ok()) return SendStatus(res, ids.status());
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& id : *ids) {
    auto m = backup::LoadManifest(**store, id);
    if (m.ok()) {
      arr.push_back(BackupSummaryJson(*m));
    } else {
      arr.push_back({{"id", id}, {"error", m.status().ToString()}});
    }
  }
  if (!latest_only) return SendJson(res, arr);
  if (arr.empty()) return JsonError(res, 404, "no backups at " + agent.options().location);
  SendJson(res, arr.back());
}

void PostBackup(Agent& agent, const httplib::Request& req, httplib::Response& res) {
  auto body = BodyObject(req);
  if (!body.ok()) return SendStatus(res, body.status());
  std::string id;
  if (body->contains("id")) {
    if (!(*body)["id"].is_string()) return JsonError(res, 400, "\"id\" must be a string");
    id = (*body)["id"].get<std::string>();
  }
  auto include = Strings(*body, "include");
  auto exclude = Strings(*body, "exclude");
  if (!include.ok()) return SendStatus(res, include.status());
  if (!exclude.ok()) return SendStatus(res, exclude.status());
  for (const auto& [k, v] : body->items()) {
    if (k != "id" && k != "include" && k != "exclude") {
      return JsonError(res, 400, "unknown field \"" + k + "\" (known: id, include, exclude)");
    }
  }
  std::optional<raftstore::KeyFilter> filter;
  if (!include->empty() || !exclude->empty()) {
    auto f = raftstore::KeyFilter::Make(*include, *exclude);
    if (!f.ok()) return SendStatus(res, f.status());
    filter = std::move(*f);
  }
  auto run = agent.StartBackup(id, filter ? &*filter : nullptr, kApiTrigger);
  if (!run.ok()) {
    nlohmann::ordered_json j = {{"error", run.status().message()}};
    if (run.status().code() == Status::Code::kBusy) {
      if (auto running = agent.backups().Running()) j["running_id"] = running->id();
    }
    return SendJson(res, j, raftstore::http::HttpStatusFor(run.status()));
  }
  SendJson(res, {{"id", (*run)->id()}, {"status", RunStateName((*run)->state())}});
}

void PostRestore(Agent& agent, const std::string& id, const httplib::Request& req, httplib::Response& res) {
  auto body = BodyObject(req);
  if (!body.ok()) return SendStatus(res, body.status());
  auto request = ParseRestore(id, *body);
  if (!request.ok()) return SendStatus(res, request.status());
  auto run = agent.StartRestore(*request);
  if (!run.ok()) return SendStatus(res, run.status());
  SendJson(res, {{"id", (*run)->id()}, {"status", RunStateName((*run)->state())}});
}

}  // namespace

std::string AgentMetricsText(const AgentStats& s, bool running) {
  raftstore::http::MetricsText m;
  // StreamNative's names first, then ours. Its counters backup_count and backup_failure_count
  // get the `_total` Prometheus gives every counter (promtool refuses a `_count` suffix on
  // anything but a histogram or summary).
  m.Counter("backup_count_total", "Successful backups since the agent started.", static_cast<double>(s.backups_ok));
  m.Counter("backup_failure_count_total", "Failed backups since the agent started.", static_cast<double>(s.backups_failed));
  m.Gauge("backup_size_non_compressed", "Bytes of the last successful backup before compression (metadata export and files).",
          static_cast<double>(s.last_size_logical));
  m.Gauge("backup_size_compressed", "Bytes the last successful backup stored (new blocks, after compression).",
          static_cast<double>(s.last_size_stored_new));
  m.Counter("backup_size_total", "Bytes stored by all backups of this agent (new blocks, after compression).",
            static_cast<double>(s.stored_bytes_written));
  m.Counter("backup_execution_time_total", "Seconds spent in backups.", s.seconds_total);
  m.Counter("backup_execution_time_prepare_total", "Seconds spent exporting the metadata and walking the data dirs.",
            s.prepare_seconds_total);
  m.Counter("backup_execution_time_compression_total", "Seconds spent compressing blocks (summed over worker threads).",
            s.compression_seconds_total);
  m.Counter("backup_execution_time_upload_total", "Seconds spent writing blocks to the location (summed over worker threads).",
            s.upload_seconds_total);
  m.Gauge("backup_last_success_timestamp_seconds", "Unix time of the last successful backup (0: none yet).",
          s.last_success_unix_s);
  m.Counter("backup_blocks_written_total", "Blocks written by the agent's backups.", static_cast<double>(s.blocks_written));
  m.Counter("backup_blocks_reused_total", "Blocks the agent's backups found at the location already.",
            static_cast<double>(s.blocks_reused));
  m.Gauge("backup_location_size_bytes", "Bytes of the blocks at the location after the last successful backup.",
          static_cast<double>(s.location_bytes));
  m.Counter("backup_retention_failures_total", "Retention runs that failed after a successful backup.",
            static_cast<double>(s.retention_failures));
  m.Gauge("backup_running", "1 while a backup runs.", running ? 1 : 0);
  m.Histogram("backup_duration_seconds", "Duration of each backup.", s.duration);
  m.Histogram("backup_prepare_duration_seconds", "Metadata export and data dir walk of each backup.", s.prepare);
  m.Histogram("backup_compression_duration_seconds", "Compression time of each backup (summed over workers).", s.compression);
  m.Histogram("backup_upload_duration_seconds", "Upload time of each backup (summed over workers).", s.upload);
  return m.Render();
}

void RegisterAgentRoutes(raftstore::http::HttpServer& server, Agent& agent) {
  httplib::Server& r = server.routes();
  r.Get("/backup/list", [&agent](const httplib::Request&, httplib::Response& res) { ListBackups(agent, res, false); });
  r.Get("/backup/latest", [&agent](const httplib::Request&, httplib::Response& res) { ListBackups(agent, res, true); });
  r.Post("/backups", [&agent](const httplib::Request& req, httplib::Response& res) { PostBackup(agent, req, res); });
  r.Get("/backups", [&agent](const httplib::Request&, httplib::Response& res) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& run : agent.backups().All()) arr.push_back(run->ToJson());
    SendJson(res, arr);
  });
  r.Get(R"(/backups/([A-Za-z0-9_.-]+))", [&agent](const httplib::Request& req, httplib::Response& res) {
    auto run = agent.backups().Get(req.matches[1]);
    if (!run) return JsonError(res, 404, "no backup run \"" + std::string(req.matches[1]) + "\" (ids: POST /backups answers them)");
    SendJson(res, run->ToJson());
  });
  r.Post(R"(/backups/([A-Za-z0-9_.-]+)/restore)", [&agent](const httplib::Request& req, httplib::Response& res) {
    PostRestore(agent, req.matches[1], req, res);
  });
  r.Get(R"(/backups/([A-Za-z0-9_.-]+)/restore)", [&agent](const httplib::Request& req, httplib::Response& res) {
    auto run = agent.RestoreOf(req.matches[1]);
    if (!run) return JsonError(res, 404, "no restore of backup \"" + std::string(req.matches[1]) + "\" was started");
    SendJson(res, run->ToJson());
  });
  r.Get("/metrics", [&agent](const httplib::Request&, httplib::Response& res) {
    res.set_content(AgentMetricsText(agent.stats(), agent.backups().Running() != nullptr),
                    raftstore::http::kMetricsContentType);
  });
  r.Get("/healthz", [&agent](const httplib::Request&, httplib::Response& res) {
    const AgentStats s = agent.stats();
    const bool healthy = !s.last_scheduled_ok || *s.last_scheduled_ok;
    nlohmann::ordered_json j = {{"healthy", healthy},
                                {"last_scheduled_backup", !s.last_scheduled_ok ? "none due yet"
                                                          : *s.last_scheduled_ok ? "succeeded" : "failed"},
                                {"backups_ok", s.backups_ok},
                                {"backups_failed", s.backups_failed}};
    SendJson(res, j, healthy ? 200 : 503);
  });
  r.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) JsonError(res, 404, "no such path: " + req.method + " " + req.path);
  });
}

}  // namespace metactl::agent
