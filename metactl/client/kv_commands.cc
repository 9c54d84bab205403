#include "metactl/client/kv_commands.h"

#include <csignal>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "metactl/client/client_flags.h"
#include "metactl/client/format.h"
#include "raftstore/client/resumable_watch.h"

namespace metactl::client {
namespace {

using raftstore::Status;

int StdoutResult(const char* cmd) {
  std::cout.flush();
  if (std::cout) return kExitOk;
  return Fail(Status::IOError(std::string(cmd) + ": writing stdout failed (closed pipe or full disk)"));
}

// `"text"` (JSON-quoted) or hex:<hex>: one unambiguous token for line-oriented text output.
std::string ValueToken(const std::string& data) {
  if (IsDisplayText(data)) return DumpJson(Json(data));
  return "hex:" + HexEncode(data);
}

std::string SeqVText(const metasrv::SeqV& v) {
  std::string out = "seq=" + std::to_string(v.seq());
  if (v.has_expire_at_ms()) out += " expire=" + FormatTimeMs(v.expire_at_ms());
  return out + " " + ValueToken(v.data());
}

Json OptSeqVJson(bool has, const metasrv::SeqV& v) { return has ? SeqVJson(v) : Json(); }

// ---------------------------------------------------------------------------------------------
class GetCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "get", "Print a key's seq, expiry and value (exit 1 when the key does not exist)");
    cmd->add_option("--key", key_, "the key")->required();
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    std::string addr;  // the address that answered
    auto r = CallWithRetry<metasrv::GetReply>(flags_.Retry(), [&](MetaClient& c) {
      addr = c.address();
      return c.Get(key_);
    });
    if (!r.ok()) return Fail(r.status());
    if (flags_.json) {
      Json j = Json::object();
      j["key"] = key_;
      j["value"] = OptSeqVJson(r->has_value(), r->value());
      std::cout << DumpJson(j) << '\n';
    } else if (r->has_value()) {
      const metasrv::SeqV& v = r->value();
      std::cout << "key:    " << key_ << '\n' << "seq:    " << v.seq() << '\n';
      if (v.has_expire_at_ms()) {
        std::cout << "expire: " << FormatTimeMs(v.expire_at_ms()) << " (" << v.expire_at_ms()
                  << " ms)\n";
      } else {
        std::cout << "expire: never\n";
      }
      if (IsDisplayText(v.data())) {
        std::cout << "value:  " << v.data() << '\n';
      } else {
        std::cout << "value (hex): " << HexEncode(v.data()) << '\n';
      }
    }
    int rc = StdoutResult("get");
    if (rc != kExitOk) return rc;
    if (!r->has_value()) {
      return Fail(Status::NotFound("key \"" + key_ + "\" not found at " + addr +
                                   " (it does not exist or has expired)"));
    }
    return kExitOk;
  }

 private:
  ClientFlags flags_;
  std::string key_;
};

// ---------------------------------------------------------------------------------------------
class ListCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "list", "List the keys with a prefix, in key order: one line per key");
    cmd->add_option("--prefix", prefix_, "key prefix (empty: every key)")->required();
    cmd->add_option("--limit", limit_, "at most this many keys (0: all)")->capture_default_str();
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    metasrv::ListRequest req;
    req.set_prefix(prefix_);
    req.set_limit(limit_);
    uint64_t n = 0;
    auto print = [&](const metasrv::KeyValue& kv) {
      if (flags_.json) {
        Json j = Json::object();
        j["key"] = kv.key();
        j["value"] = SeqVJson(kv.value());
        std::cout << DumpJson(j) << '\n';
      } else {
        std::cout << kv.key() << ' ' << SeqVText(kv.value()) << '\n';
      }
      ++n;
      return static_cast<bool>(std::cout) && (limit_ == 0 || n < limit_);
    };
    Status midway;  // a failure after keys were printed: final, a retry would print them again
    Status st = CallWithRetry(flags_.Retry(), [&](MetaClient& c) {
      Status listed = c.List(req, print);
      if (listed.ok() || n == 0) return listed;
      midway = listed;
      return Status::OK();
    });
    if (!midway.ok()) st = midway;
    if (!st.ok()) return Fail(st);
    int rc = StdoutResult("list");
    if (rc == kExitOk) spdlog::info("{} keys with prefix \"{}\"", n, prefix_);
    return rc;
  }

 private:
  ClientFlags flags_;
  std::string prefix_;
  uint64_t limit_ = 0;
};

// ---------------------------------------------------------------------------------------------
// upsert and delete: one Upsert RPC, with an optional --match-seq.
class WriteCommand : public Command {
 public:
  explicit WriteCommand(bool is_delete) : delete_(is_delete) {}

  CLI::App* Register(CLI::App& app) override {
    const char* name = delete_ ? "delete" : "upsert";
    CLI::App* cmd = app.add_subcommand(
        name, delete_ ? "Delete a key (optionally only if its seq is --match-seq)"
                      : "Set a key's value and expiry (optionally only if its seq is --match-seq)");
    cmd->add_option("--key", key_, "the key")->required();
    if (!delete_) {
      cmd->add_option("--value", value_, "the new value (bytes of the argument)")->required();
      auto* at = cmd->add_option("--expire-at", expire_at_,
                                 "expire at this time (seconds since the epoch)");
      auto* ttl = cmd->add_option("--ttl", ttl_text_,
                                  "expire this long after the write: 250ms, 30s, 5m, 1h, 2d");
      at->excludes(ttl);
    }
    cmd->add_option("--match-seq", match_seq_,
                    "apply only if the key's current seq is exactly N (0: the key must not exist)");
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    const char* name = delete_ ? "delete" : "upsert";
    metasrv::UpsertRequest req;
    req.set_key(key_);
    if (match_seq_) {
      req.set_match(metasrv::MATCH_EXACT);
      req.set_match_seq(*match_seq_);
    }
    if (delete_) {
      req.set_op(metasrv::OP_DELETE);
    } else {
      req.set_op(metasrv::OP_UPDATE);
      req.set_value(value_);
      if (expire_at_) req.set_expire_at(*expire_at_);
      if (!ttl_text_.empty()) {
        auto ttl = ParseDuration(ttl_text_);
        if (!ttl.ok()) return UsageError(std::string(name) + ": --ttl: " + ttl.status().message());
        req.set_ttl_ms(static_cast<uint64_t>(ttl->count()));
      }
    }
    // Retried only when the server says nothing was applied (retry.h): never applied twice.
    auto r = CallWithRetry<metasrv::UpsertReply>(flags_.Retry(), [&](MetaClient& c) { return c.Upsert(req); });
    if (!r.ok()) return Fail(r.status());
    if (flags_.json) {
      Json j = Json::object();
      j["key"] = key_;
      j["applied"] = r->applied();
      j["prev"] = OptSeqVJson(r->has_prev(), r->prev());
      j["result"] = OptSeqVJson(r->has_result(), r->result());
      std::cout << DumpJson(j) << '\n';
    } else if (r->applied()) {
      std::string prev = r->has_prev() ? "was seq " + std::to_string(r->prev().seq()) : "";
      if (delete_) {
        std::cout << key_ << ": "
                  << (r->has_prev() ? "deleted (" + prev + ")" : "no such key, nothing deleted")
                  << '\n';
      } else {
        std::cout << key_ << ": seq " << (r->has_result() ? r->result().seq() : 0) << " ("
                  << (r->has_prev() ? prev : "new key") << ")";
        if (r->has_result() && r->result().has_expire_at_ms()) {
          std::cout << ", expires " << FormatTimeMs(r->result().expire_at_ms());
        }
        std::cout << '\n';
      }
    }
    int rc = StdoutResult(name);
    if (rc != kExitOk) return rc;
    if (!r->applied()) {
      std::string current = r->has_prev()
                                ? "its current seq is " + std::to_string(r->prev().seq())
                                : "it does not exist (seq 0)";
      return Fail(Status::Aborted(
          std::string(name) + " \"" + key_ + "\" not applied: --match-seq expected seq " +
          std::to_string(match_seq_.value_or(0)) + " but " + current +
          "; nothing changed (get the key again and retry)"));
    }
    return kExitOk;
  }

 private:
  bool delete_;
  ClientFlags flags_;
  std::string key_;
  std::string value_;
  std::optional<uint64_t> expire_at_;
  std::string ttl_text_;
  std::optional<uint64_t> match_seq_;
};

// ---------------------------------------------------------------------------------------------
std::atomic<bool> g_interrupted{false};
extern "C" void OnInterrupt(int) { g_interrupted.store(true); }
static_assert(std::atomic<bool>::is_always_lock_free);

class WatchCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand(
        "watch",
        "Print every change to a key range as it is committed, one line per event, until\n"
        "interrupted (Ctrl-C ends it with exit 0). Give --prefix P, or --key K [--key-end E].");
    auto* prefix = prefix_opt_ = cmd->add_option("--prefix", prefix_, "every key with this prefix");
    auto* key = key_opt_ = cmd->add_option("--key", key_, "the key (or range start, inclusive)");
    auto* key_end = cmd->add_option("--key-end", key_end_, "range end (exclusive)");
    prefix->excludes(key);
    prefix->excludes(key_end);
    key_end->needs(key);
    cmd->add_flag("--initial-flush", initial_flush_,
                  "first print the current values of the range (marked initial)");
    flags_.Add(cmd);
    return cmd;
  }

  int Run() override {
    if (prefix_opt_->count() == 0 && key_opt_->count() == 0) {
      return UsageError("watch: give --prefix P, or --key K [--key-end E]");
    }
    if (prefix_opt_->count() > 0 && prefix_.empty()) {
      return UsageError("watch: --prefix must not be empty (watch a key range with --key K "
                        "--key-end E instead)");
    }
    metasrv::WatchRequest req;
    req.set_prefix(prefix_);
    req.set_key(key_);
    req.set_key_end(key_end_);
    req.set_initial_flush(initial_flush_);

    g_interrupted = false;
    struct sigaction sa {}, old_int{}, old_term{};
    sa.sa_handler = OnInterrupt;
    sa.sa_flags = SA_RESETHAND;  // a second Ctrl-C kills at once
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    std::string addrs;
    for (const auto& a : flags_.addrs) addrs += (addrs.empty() ? "" : ", ") + a;
    spdlog::info("watching {} at {} (Ctrl-C to stop)",
                 prefix_opt_->count() == 0 ? "key \"" + key_ + "\"" + (key_end_.empty() ? "" : " to \"" + key_end_ + "\"")
                                 : "prefix \"" + prefix_ + "\"",
                 addrs.empty() ? std::string(kDefaultAddress) : addrs);
    uint64_t events = 0;
    // Several addresses: re-attaches to the next one when a stream ends (resumable_watch.h).
    Status st = raftstore::client::ResumableWatch(
        flags_.addrs, std::chrono::seconds(flags_.timeout_sec), req,
        [&](const metasrv::WatchEvent& ev) {
          PrintEvent(ev);
          ++events;
          std::cout.flush();
          return static_cast<bool>(std::cout);
        },
        g_interrupted);
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    if (!st.ok()) return Fail(st);
    if (!std::cout) return StdoutResult("watch");
    spdlog::info("watch stopped ({} events printed)", events);
    return kExitOk;
  }

 private:
  void PrintEvent(const metasrv::WatchEvent& ev) {
    if (flags_.json) {
      Json j = Json::object();
      j["key"] = ev.key();
      j["log_index"] = ev.log_index();
      j["initial"] = ev.initial();
      j["prev"] = OptSeqVJson(ev.has_prev(), ev.prev());
      j["current"] = OptSeqVJson(ev.has_current(), ev.current());
      std::cout << DumpJson(j) << '\n';
      return;
    }
    std::string where = ev.initial() ? "initial" : "log=" + std::to_string(ev.log_index());
    if (ev.has_current()) {
      std::cout << where << ' ' << (ev.initial() ? "VALUE" : ev.has_prev() ? "UPDATE" : "CREATE")
                << ' ' << ev.key() << ' ' << SeqVText(ev.current()) << '\n';
    } else {
      std::cout << where << " DELETE " << ev.key();
      if (ev.has_prev()) std::cout << " (was seq=" << ev.prev().seq() << ')';
      std::cout << '\n';
    }
  }

  ClientFlags flags_;
  std::string prefix_, key_, key_end_;
  CLI::Option* prefix_opt_ = nullptr;
  CLI::Option* key_opt_ = nullptr;
  bool initial_flush_ = false;
};

}  // namespace

std::vector<std::unique_ptr<Command>> KvCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<GetCommand>());
  all.push_back(std::make_unique<ListCommand>());
  all.push_back(std::make_unique<WriteCommand>(/*is_delete=*/false));
  all.push_back(std::make_unique<WriteCommand>(/*is_delete=*/true));
  all.push_back(std::make_unique<WatchCommand>());
  return all;
}

}  // namespace metactl::client
