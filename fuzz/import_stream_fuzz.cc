// Target of a whole import stream: the stream reader's framing (header first, one header, the
// footer's count and SHA-256, nothing after it, a cut-short last line) and the import's checks
// across lines (import_checks.h: duplicates, log order, the sequence, the expire index,
// LastApplied, the membership), exactly as ImportStream runs them (importer.cc StreamLoader),
// but over an in-memory copy of what the importer writes into its staging dir, so an input
// costs microseconds instead of a RocksDB open.
//
// Input: byte 0 picks the options (bit 0 --allow-no-footer, bit 1 --repair-seq, bit 2
// --bump-seq, bit 3 a --max-line-bytes of 64), the rest is the stream.
// Properties: no crash or sanitizer report; every refusal is an error Status, not an exception;
// and the relay mode of the reader (Next() without a record: what `metactl export` does with a
// server's stream) accepts every stream the decoding mode accepts, since it checks a subset.
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz/fuzz_check.h"
#include "raftstore/export_format/export_stream.h"
#include "raftstore/transfer/import_checks.h"

using namespace raftstore;
using raftstore::transfer::ImportCheckOptions;
using raftstore::transfer::ImportChecks;
using raftstore::transfer::WrittenRecords;

namespace {

// The staging dir's records by their identity, as RecordWriter stores them (a later record of
// the same identity overwrites the earlier one).
class MemoryRecords : public WrittenRecords {
 public:
  void Write(const Record& r) {
    if (const auto* kv = std::get_if<KvRec>(&r.body)) kv_[kv->key] = kv->value;
    if (const auto* n = std::get_if<NodeRec>(&r.body)) nodes_[n->node_id] = true;
    if (const auto* x = std::get_if<ExpireRec>(&r.body)) expires_[{x->key.time_ms, x->key.seq}] = *x;
    if (const auto* s = std::get_if<SequenceRec>(&r.body)) sequences_[s->name] = s->value;
  }
  Result<bool> Holds(const Record& r) override {
    if (const auto* kv = std::get_if<KvRec>(&r.body)) return kv_.count(kv->key) > 0;
    if (const auto* n = std::get_if<NodeRec>(&r.body)) return nodes_.count(n->node_id) > 0;
    if (const auto* x = std::get_if<ExpireRec>(&r.body)) return expires_.count({x->key.time_ms, x->key.seq}) > 0;
    if (const auto* s = std::get_if<SequenceRec>(&r.body)) return sequences_.count(s->name) > 0;
    return false;
  }
  Result<std::optional<SeqV>> ReadKv(const std::string& key) override {
    auto it = kv_.find(key);
    if (it == kv_.end()) return std::optional<SeqV>();
    return std::optional<SeqV>(it->second);
  }
  Status ForEachExpire(const std::function<Status(const ExpireRec&)>& visit) override {
    for (const auto& [k, x] : expires_) RS_RETURN_IF_ERROR(visit(x));
    return Status::OK();
  }

 private:
  std::map<std::string, SeqV> kv_;
  std::map<uint64_t, bool> nodes_;
  std::map<std::pair<uint64_t, uint64_t>, ExpireRec> expires_;
  std::map<std::string, uint64_t> sequences_;
};

// The stream through the relay mode: lines split at '\n', the last one unterminated if the
// stream does not end in one.
Status Relay(std::string_view stream, const ExportStreamReader::Options& options) {
  ExportStreamReader reader(options);
  while (!stream.empty()) {
    size_t nl = stream.find('\n');
    const bool terminated = nl != std::string_view::npos;
    std::string_view line = stream.substr(0, terminated ? nl : stream.size());
    RS_RETURN_IF_ERROR(reader.Next(line, nullptr, terminated).status());
    stream.remove_prefix(terminated ? nl + 1 : stream.size());
  }
  return reader.Finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  ExportStreamReader::Options options;
  options.allow_no_footer = flags & 1;
  // bit 3: a tiny line limit, so the limit's refusal is reached by inputs of fuzzing size
  options.max_line_bytes = (flags & 8) ? 64 : ExportStreamReader::kDefaultMaxLineBytes;
  ExportStreamReader reader(options);
  MemoryRecords written;
  ImportChecks checks(ImportCheckOptions{.repair_seq = (flags & 2) != 0, .bump_seq = (flags & 4) != 0}, &written);

  std::istringstream in(stream);
  Status check_failed;
  Status st = reader.ReadAll(in, [&](const Record& rec) {
    check_failed = checks.Observe(rec, reader.lines());
    if (!check_failed.ok()) return Status::Aborted("import check failed");
    written.Write(rec);
    return Status::OK();
  });
  if (!st.ok()) {
    FUZZ_CHECK(!st.message().empty(), "a refusal without a message");
    return 0;
  }
  FUZZ_CHECK(check_failed.ok(), "ReadAll succeeded past a failed check");
  Result<std::optional<uint64_t>> seq = checks.Finish();
  if (!seq.ok()) FUZZ_CHECK(!seq.status().message().empty(), "a refusal without a message");

  // The stream was read and framed well: the relay must take it too.
  Status relayed = Relay(stream, options);
  FUZZ_CHECK(relayed.ok(), "the relay refuses a stream the decoding reader accepts: " + relayed.message());
  return 0;
}
