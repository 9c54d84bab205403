#include "tests/linearizability/history.h"

#include <nlohmann/json.hpp>

namespace linearizability {

namespace {

std::string Show(const std::optional<Versioned>& v) {
  return v ? "'" + v->value + "'@" + std::to_string(v->seq) : std::string("absent");
}

}  // namespace

std::string ToString(OpKind kind) {
  switch (kind) {
    case OpKind::kRead: return "read";
    case OpKind::kWrite: return "write";
    case OpKind::kCas: return "cas";
  }
  return "?";
}

std::string Describe(const Operation& op) {
  std::string s = "#" + std::to_string(op.id) + " client " + std::to_string(op.client) + " " + ToString(op.kind) +
                  " " + op.key;
  if (op.kind != OpKind::kRead) s += " '" + op.value + "'";
  if (op.kind == OpKind::kCas) s += " if seq=" + std::to_string(op.match_seq);
  if (!op.known) return s + " -> unknown [" + std::to_string(op.call_ns) + "..]";
  switch (op.kind) {
    case OpKind::kRead: s += " -> " + Show(op.observed); break;
    case OpKind::kWrite: s += " -> seq " + std::to_string(op.new_seq) + " (prev " + Show(op.observed) + ")"; break;
    case OpKind::kCas:
      s += op.applied ? " -> applied seq " + std::to_string(op.new_seq) + " (prev " + Show(op.observed) + ")"
                      : " -> refused (current " + Show(op.observed) + ")";
      break;
  }
  return s + " [" + std::to_string(op.call_ns) + ".." + std::to_string(op.return_ns) + "]";
}

std::string ToJson(const std::vector<Operation>& ops) {
  nlohmann::json out = nlohmann::json::array();
  for (const Operation& op : ops) {
    nlohmann::json j = {{"id", op.id},           {"client", op.client},     {"kind", ToString(op.kind)},
                        {"key", op.key},         {"value", op.value},       {"match_seq", op.match_seq},
                        {"call_ns", op.call_ns}, {"return_ns", op.return_ns}, {"known", op.known},
                        {"applied", op.applied}, {"new_seq", op.new_seq}};
    if (op.observed) j["observed"] = {{"value", op.observed->value}, {"seq", op.observed->seq}};
    out.push_back(std::move(j));
  }
  return out.dump(1);
}

raftstore::Result<std::vector<Operation>> FromJson(const std::string& json) {
  nlohmann::json in = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!in.is_array()) return raftstore::Status::InvalidArgument("history: not a JSON array of operations");
  std::vector<Operation> ops;
  try {
    for (const auto& j : in) {
      Operation op;
      op.id = j.at("id").get<uint64_t>();
      op.client = j.at("client").get<int>();
      const std::string kind = j.at("kind").get<std::string>();
      if (kind == "read") op.kind = OpKind::kRead;
      else if (kind == "write") op.kind = OpKind::kWrite;
      else if (kind == "cas") op.kind = OpKind::kCas;
      else return raftstore::Status::InvalidArgument("history: operation " + std::to_string(op.id) + ": unknown kind " + kind);
      op.key = j.at("key").get<std::string>();
      op.value = j.at("value").get<std::string>();
      op.match_seq = j.at("match_seq").get<uint64_t>();
      op.call_ns = j.at("call_ns").get<int64_t>();
      op.return_ns = j.at("return_ns").get<int64_t>();
      op.known = j.at("known").get<bool>();
      op.applied = j.at("applied").get<bool>();
      op.new_seq = j.at("new_seq").get<uint64_t>();
      if (j.contains("observed")) {
        op.observed = Versioned{j["observed"].at("value").get<std::string>(), j["observed"].at("seq").get<uint64_t>()};
      }
      ops.push_back(std::move(op));
    }
  } catch (const nlohmann::json::exception& e) {
    return raftstore::Status::InvalidArgument(std::string("history: ") + e.what());
  }
  return ops;
}

}  // namespace linearizability
