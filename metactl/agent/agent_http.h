// The agent's HTTP API (docs/backup-service.md), on --http-address:
//   GET  /backup/list              every backup at the location (`metactl backups --json`'s objects)
//   GET  /backup/latest            the newest one; 404 when there is none
//   POST /backups                  {"id"?, "include"?: [prefixes], "exclude"?: [prefixes]}: starts
//                                  a backup now; 200 {"id", "status": "STARTED"}; 409 with
//                                  "running_id" while one runs; 400 for a bad body
//   GET  /backups                  every run the agent remembers (the newest 200), oldest first
//   GET  /backups/{id}             the run: STARTED, TRANSFERRING (bytes_done/bytes_total),
//                                  SUCCESS ("result": the backup's summary) or FAILED ("error")
//   POST /backups/{id}/restore     {"raft_dir"?, "data_to"?, "node_id"?, "initial_cluster"?:
//                                  [...], "force"?, "confirm"?}: restores backup {id} ("latest"
//                                  for the newest), a dry run unless "confirm": true
//   GET  /backups/{id}/restore     that restore's run, same states
//   GET  /metrics                  Prometheus text (no token)
//   GET  /healthz                  200 when the last scheduled backup succeeded or none was due
//                                  yet, else 503 (no token)
// Every other path answers 404 JSON. Auth and TLS: http_server.h.
#pragma once

#include "metactl/agent/agent.h"
#include "raftstore/http/http_server.h"

namespace metactl::agent {

// Registers the routes on `server` (before it starts). `agent` must outlive the server.
void RegisterAgentRoutes(raftstore::http::HttpServer& server, Agent& agent);

// The /metrics text of the agent (exposed for tests).
std::string AgentMetricsText(const AgentStats& s, bool running);

}  // namespace metactl::agent
