#include "raftstore/server/config.h"

#include <set>

#include <toml++/toml.h>

namespace raftstore::server {

namespace {

template <typename T>
Status Read(const toml::table& t, const char* key, const std::string& path, T* out) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return Status::OK();
  auto v = n->value<T>();
  if (!v) return Status::InvalidArgument(path + ": \"" + key + "\" has the wrong type");
  *out = *v;
  return Status::OK();
}

Status ReadU64(const toml::table& t, const char* key, const std::string& path, uint64_t* out) {
  int64_t v = static_cast<int64_t>(*out);
  RS_RETURN_IF_ERROR(Read(t, key, path, &v));
  if (v < 0) return Status::InvalidArgument(path + ": \"" + key + "\" must not be negative");
  *out = static_cast<uint64_t>(v);
  return Status::OK();
}

}  // namespace

Status LoadConfigFile(const std::string& path, ServerConfig* c) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                                   ": " + std::string(e.description()));
  }
  static const std::set<std::string> kKnown = {"id", "raft_dir", "grpc_api_address", "raft_address", "single",
                                               "log_level", "max_value_bytes", "request_timeout_ms",
                                               "snapshot_logs_since_last", "max_applied_log_to_keep"};
  for (const auto& [k, v] : t) {
    if (!kKnown.count(std::string(k.str()))) {
      return Status::InvalidArgument(path + ": unknown setting \"" + std::string(k.str()) + "\"");
    }
  }
  RS_RETURN_IF_ERROR(ReadU64(t, "id", path, &c->id));
  RS_RETURN_IF_ERROR(Read(t, "raft_dir", path, &c->raft_dir));
  RS_RETURN_IF_ERROR(Read(t, "grpc_api_address", path, &c->grpc_api_address));
  RS_RETURN_IF_ERROR(Read(t, "raft_address", path, &c->raft_address));
  RS_RETURN_IF_ERROR(Read(t, "single", path, &c->single));
  RS_RETURN_IF_ERROR(Read(t, "log_level", path, &c->log_level));
  RS_RETURN_IF_ERROR(ReadU64(t, "max_value_bytes", path, &c->max_value_bytes));
  RS_RETURN_IF_ERROR(ReadU64(t, "snapshot_logs_since_last", path, &c->snapshot_logs_since_last));
  RS_RETURN_IF_ERROR(ReadU64(t, "max_applied_log_to_keep", path, &c->max_applied_log_to_keep));
  return ReadU64(t, "request_timeout_ms", path, &c->request_timeout_ms);
}

}  // namespace raftstore::server
