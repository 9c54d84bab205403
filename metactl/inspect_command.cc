// metactl inspect: a summary of an export stream (a file or stdin) or of a backup's metadata.
// The engine is raftstore/transfer/inspect.h; the backup's metadata is read back by
// raftstore/backup/block_reader.h. This file maps flags to them and prints the summary.
#include "metactl/inspect_command.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "metactl/backup_flags.h"
#include "raftstore/backup/block_reader.h"
#include "raftstore/common/progress.h"
#include "raftstore/transfer/inspect.h"

namespace metactl {
namespace {

namespace backup = raftstore::backup;
using raftstore::Json;
using raftstore::Result;
using raftstore::Status;
using raftstore::transfer::FooterState;
using raftstore::transfer::InspectSummary;
using raftstore::transfer::PrefixStats;

// A string as JSON text: quoted, escaped, invalid UTF-8 replaced (keys, node names).
std::string Quoted(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string LogIdText(const std::optional<raftstore::LogId>& id) {
  if (!id) return "-";
  return "index " + std::to_string(id->index) + " (term " + std::to_string(id->leader_id.term) +
         ", leader " + std::to_string(id->leader_id.node_id) + ")";
}

std::string IdsText(const std::set<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out.empty() ? "none" : out;
}

std::string MembershipText(const raftstore::StoredMembership& m) {
  std::string voters;
  for (const auto& config : m.membership.configs) {
    voters += (voters.empty() ? "" : " and ") + IdsText({config.begin(), config.end()});
  }
  return std::string(m.membership.configs.size() > 1 ? "joint, voters " : "voters ") +
         (voters.empty() ? "none" : voters) + "; learners " + IdsText(m.membership.Learners()) +
         "; from log " + LogIdText(m.log_id);
}

std::string FooterText(const InspectSummary& s) {
  auto rec = [](const raftstore::FooterRec& f) {
    return std::to_string(f.records) + " records, sha256 " + f.sha256;
  };
  switch (s.footer) {
    case FooterState::kVerified: return "verified: " + rec(s.footer_read);
    case FooterState::kAbsent: return "absent (a databend export, or export --no-footer)";
    case FooterState::kMismatch:
      return "MISMATCH: the footer says " + rec(s.footer_read) + "; the lines before it are " +
             rec(s.footer_computed);
  }
  return "?";
}

void PrintPrefixes(const char* title, const std::vector<PrefixStats>& top) {
  std::printf("%s\n", title);
  if (top.empty()) std::printf("  (no keys)\n");
  else std::printf("  %12s  %14s  %s\n", "KEYS", "VALUE BYTES", "PREFIX");
  for (const auto& p : top) {
    std::printf("  %12llu  %14llu  %s\n", static_cast<unsigned long long>(p.keys),
                static_cast<unsigned long long>(p.value_bytes), Quoted(p.prefix).c_str());
  }
}

void PrintText(const std::string& source, const InspectSummary& s) {
  auto row = [](const char* name, const std::string& value) {
    std::printf("%-16s%s\n", name, value.c_str());
  };
  auto opt = [](const std::optional<uint64_t>& v) { return v ? std::to_string(*v) : "-"; };
  row("source", source);
  row("version", s.version);
  row("records", std::to_string(s.records) + " (header included, footer not)");
  row("footer", FooterText(s));
  row("node id", opt(s.node_id));
  row("vote", s.vote ? "term " + std::to_string(s.vote->leader_id.term) + ", node " +
                           std::to_string(s.vote->leader_id.node_id) +
                           (s.vote->committed ? ", committed" : ", not committed")
                     : "-");
  row("committed", LogIdText(s.committed));
  row("purged", LogIdText(s.purged));
  row("last applied", LogIdText(s.last_applied));
  row("log entries",
      s.first_log_index ? "index " + opt(s.first_log_index) + ".." + opt(s.last_log_index) : "none");
  row("membership", s.membership ? MembershipText(*s.membership) : "-");
  row("nodes", std::to_string(s.nodes.size()));
  for (const auto& n : s.nodes) {
    const std::string& host = n.node.endpoint.addr;  // an IPv6 address gets its brackets back
    const std::string raft = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                             std::to_string(n.node.endpoint.port);
    std::printf("  %-6llu raft %s  grpc %s  name %s\n", static_cast<unsigned long long>(n.node_id),
                raft.c_str(), n.node.grpc_api_advertise_address.value_or("-").c_str(),
                Quoted(n.node.name).c_str());
  }
  row("keys", std::to_string(s.keys) + ", " + std::to_string(s.keys_with_ttl) + " with TTL");
  row("value bytes", std::to_string(s.value_bytes) + " (" + raftstore::HumanBytes(s.value_bytes) + ")");
  row("key seq", s.min_key_seq ? "min " + opt(s.min_key_seq) + ", max " + opt(s.max_key_seq) : "-");
  std::string seqs;
  for (const auto& [name, value] : s.sequences) {
    seqs += (seqs.empty() ? "" : ", ") + name + " = " + std::to_string(value);
  }
  row("sequences", seqs.empty() ? "-" : seqs);
  std::printf("records per kind\n");
  for (size_t i = 0; i < s.records_per_kind.size(); ++i) {
    if (s.records_per_kind[i] == 0) continue;
    std::printf("  %-32s %12llu\n", raftstore::transfer::RecordKindNameAt(i),
                static_cast<unsigned long long>(s.records_per_kind[i]));
  }
  std::string prefixes = std::to_string(s.prefixes) + " distinct";
  if (s.other_prefixes.keys > 0) {
    prefixes += "; " + std::to_string(s.other_prefixes.keys) + " keys (" +
                std::to_string(s.other_prefixes.value_bytes) +
                " value bytes) under prefixes past the first " +
                std::to_string(raftstore::transfer::kMaxPrefixes) + " are not in the tables";
  }
  row("prefixes", prefixes);
  PrintPrefixes("largest prefixes by keys", s.top_by_keys);
  PrintPrefixes("largest prefixes by value bytes", s.top_by_value_bytes);
}

Json PrefixesJson(const std::vector<PrefixStats>& top) {
  Json arr = Json::array();
  for (const auto& p : top) {
    arr.push_back({{"prefix", p.prefix}, {"keys", p.keys}, {"value_bytes", p.value_bytes}});
  }
  return arr;
}

// The keys and their order are documented in docs/metactl.md ("inspect"); keep them in step.
Json SummaryJson(const std::string& source, const std::string& backup_id, const InspectSummary& s) {
  auto opt = [](const auto& v) { return v ? Json(*v) : Json(nullptr); };
  Json j;
  j["source"] = source;
  j["backup_id"] = backup_id.empty() ? Json(nullptr) : Json(backup_id);
  j["version"] = s.version;
  j["records"] = s.records;
  Json kinds = Json::object();
  const size_t footer_kind = raftstore::RecordBody(raftstore::FooterRec{}).index();  // not a record
  for (size_t i = 0; i < s.records_per_kind.size(); ++i) {
    if (i != footer_kind) kinds[raftstore::transfer::RecordKindNameAt(i)] = s.records_per_kind[i];
  }
  j["records_per_kind"] = std::move(kinds);
  const bool has_footer = s.footer != FooterState::kAbsent;
  j["footer"] = {
      {"status", raftstore::transfer::FooterStateName(s.footer)},
      {"records", has_footer ? Json(s.footer_read.records) : Json(nullptr)},
      {"sha256", has_footer ? Json(s.footer_read.sha256) : Json(nullptr)},
      {"computed_records", has_footer ? Json(s.footer_computed.records) : Json(nullptr)},
      {"computed_sha256", has_footer ? Json(s.footer_computed.sha256) : Json(nullptr)},
  };
  j["node_id"] = opt(s.node_id);
  j["vote"] = raftstore::ToJson(s.vote);
  j["committed"] = raftstore::ToJson(s.committed);
  j["purged"] = raftstore::ToJson(s.purged);
  j["last_applied"] = raftstore::ToJson(s.last_applied);
  j["log_index"] = {{"first", opt(s.first_log_index)}, {"last", opt(s.last_log_index)}};
  j["membership"] = raftstore::ToJson(s.membership);
  Json nodes = Json::array();
  for (const auto& n : s.nodes) {
    Json node = {{"node_id", n.node_id}};
    const Json fields = raftstore::ToJson(n.node);  // items() refers to it: not a temporary
    for (const auto& [k, v] : fields.items()) node[k] = v;
    nodes.push_back(std::move(node));
  }
  j["nodes"] = std::move(nodes);
  j["keys"] = s.keys;
  j["value_bytes"] = s.value_bytes;
  j["keys_with_ttl"] = s.keys_with_ttl;
  j["seq"] = {{"min_key_seq", opt(s.min_key_seq)}, {"max_key_seq", opt(s.max_key_seq)},
              {"sequences", Json::object()}};
  for (const auto& [name, value] : s.sequences) j["seq"]["sequences"][name] = value;
  j["prefixes"] = {
      {"distinct", s.prefixes},
      {"other", {{"keys", s.other_prefixes.keys}, {"value_bytes", s.other_prefixes.value_bytes}}},
      {"top_by_keys", PrefixesJson(s.top_by_keys)},
      {"top_by_value_bytes", PrefixesJson(s.top_by_value_bytes)},
  };
  return j;
}

class InspectCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand(
        "inspect",
        "Show what an export holds, without importing it: version, records per kind, keys,\n"
        "footer (verified, absent or mismatch), raft state, membership, seqs and the largest\n"
        "key prefixes. Reads FILE, or stdin when FILE is - or absent; with --backup ID or\n"
        "--latest, the metadata of a backup at LOCATION (a directory or s3://bucket/prefix).\n"
        "Exit 1 when the footer does not match the content.");
    cmd_->add_option("source", source_, "FILE (default: - = stdin), or the LOCATION of --backup/--latest");
    auto* id = cmd_->add_option("--backup", backup_id_, "inspect the metadata of this backup at LOCATION");
    auto* latest =
        cmd_->add_flag("--latest", latest_, "inspect the metadata of the newest backup at LOCATION");
    id->excludes(latest);
    cmd_->add_flag("--json", json_, "print the summary as one JSON object (keys: docs/metactl.md)");
    AddS3Options(cmd_, &s3_);
    AddEncryptionOption(cmd_, &key_file_);
    return cmd_;
  }

  int Run() override {
    const bool from_backup = !backup_id_.empty() || latest_;
    if (from_backup && (source_.empty() || source_ == "-")) {
      return Usage("--backup/--latest need the backup LOCATION (a directory or s3://bucket/prefix)");
    }
    if (!from_backup && UsesS3Options()) return Usage("the --s3-* options need --backup ID or --latest");
    if (!from_backup && (source_.starts_with("s3://") || std::filesystem::is_directory(source_))) {
      return Usage(source_ + " is a backup location, not an export file: add --backup ID or --latest");
    }
    std::string label = source_.empty() || source_ == "-" ? "stdin" : source_;
    std::string resolved_id;
    Result<InspectSummary> summary = Status::Internal("not run");
    if (from_backup) {
      auto store = OpenBackupLocation(source_, s3_, /*create_dir=*/false, key_file_, /*for_backup=*/false);
      if (!store.ok()) {
        if (store.status().code() == Status::Code::kInvalidArgument) return Usage(store.status().ToString());
        return Fail(label, store.status());
      }
      auto stream = backup::MetadataStream::Open(**store, backup_id_);
      if (!stream.ok()) return Fail(label, stream.status());
      resolved_id = (*stream)->backup_id();
      label = "backup " + resolved_id + " metadata at " + (*store)->Describe();
      summary = raftstore::transfer::InspectStream(**stream);
      // A block that could not be read ends the stream early: that, not what the reader made
      // of the shortened stream, is the error.
      if (!(*stream)->status().ok()) return Fail(label, (*stream)->status());
    } else if (label == "stdin") {
      summary = raftstore::transfer::InspectStream(std::cin);
    } else {
      std::ifstream in(source_, std::ios::binary);
      if (!in) return Fail(label, Status::IOError(std::string("cannot open: ") + std::strerror(errno)));
      summary = raftstore::transfer::InspectStream(in);
    }
    if (!summary.ok()) return Fail(label, summary.status());
    if (json_) {
      std::cout << SummaryJson(label, resolved_id, *summary)
                       .dump(-1, ' ', false, Json::error_handler_t::replace)
                << std::endl;
    } else {
      PrintText(label, *summary);
      std::fflush(stdout);
    }
    if (summary->footer == FooterState::kMismatch) {
      std::cerr << "metactl inspect " << label << ": the footer does not match the content: it says "
                << summary->footer_read.records << " records with sha256 " << summary->footer_read.sha256
                << ", the lines before it are " << summary->footer_computed.records << " records with sha256 "
                << summary->footer_computed.sha256 << ": the stream was altered or cut; export it again"
                << std::endl;
      return kExitFailure;
    }
    return kExitOk;
  }

 private:
  int Usage(const std::string& message) {
    std::cerr << "metactl inspect: " << message << std::endl;
    return kExitUsage;
  }
  // What the engine or the store refuses is a failure (exit 1), also an unsupported version.
  int Fail(const std::string& label, const Status& st) {
    std::cerr << "metactl inspect " << label << ": " << st.ToString() << std::endl;
    return kExitFailure;
  }
  bool UsesS3Options() const {
    return !s3_.endpoint.empty() || !s3_.region.empty() || !s3_.access_key_id.empty() ||
           !s3_.secret_access_key.empty() || !s3_.session_token.empty() || !s3_.addressing.empty();
  }

  CLI::App* cmd_ = nullptr;
  std::string source_, backup_id_;
  bool latest_ = false, json_ = false;
  backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

}  // namespace

std::unique_ptr<Command> NewInspectCommand() { return std::make_unique<InspectCommand>(); }

}  // namespace metactl
