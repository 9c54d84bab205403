#include "raftstore/transfer/inspect.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "raftstore/export_format/export_stream.h"

namespace raftstore::transfer {

namespace {

// Counts the keys and value bytes of each prefix, up to kMaxPrefixes distinct ones.
class PrefixTable {
 public:
  explicit PrefixTable(size_t max_prefixes) : max_(max_prefixes) {}

  void Add(std::string_view key, uint64_t value_bytes, PrefixStats* other) {
    std::string_view prefix = KeyPrefix(key);
    auto it = table_.find(std::string(prefix));
    if (it == table_.end()) {
      if (table_.size() >= max_) {
        other->keys++;
        other->value_bytes += value_bytes;
        return;
      }
      it = table_.emplace(std::string(prefix), Counts{}).first;
    }
    it->second.keys++;
    it->second.value_bytes += value_bytes;
  }

  size_t size() const { return table_.size(); }

  // The `n` largest by `field` (largest first, ties by prefix ascending).
  std::vector<PrefixStats> Top(size_t n, uint64_t PrefixStats::*field) const {
    std::vector<PrefixStats> all;
    all.reserve(table_.size());
    for (const auto& [prefix, c] : table_) all.push_back(PrefixStats{prefix, c.keys, c.value_bytes});
    auto larger = [field](const PrefixStats& a, const PrefixStats& b) {
      return a.*field != b.*field ? a.*field > b.*field : a.prefix < b.prefix;
    };
    n = std::min(n, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(), larger);
    all.resize(n);
    return all;
  }

 private:
  struct Counts {
    uint64_t keys = 0;
    uint64_t value_bytes = 0;
  };
  size_t max_;
  std::unordered_map<std::string, Counts> table_;
};

// Takes one record into the summary.
class Summarizer {
 public:
  Summarizer(InspectSummary* s, size_t max_prefixes) : s_(s), prefixes_(max_prefixes) {}

  void Add(const Record& rec) {
    s_->records_per_kind[rec.body.index()]++;
    std::visit([this](const auto& body) { Take(body); }, rec.body);
  }

  void Finish() {
    s_->prefixes = prefixes_.size();
    s_->top_by_keys = prefixes_.Top(kInspectTopPrefixes, &PrefixStats::keys);
    s_->top_by_value_bytes = prefixes_.Top(kInspectTopPrefixes, &PrefixStats::value_bytes);
  }

 private:
  void Take(const HeaderRec& h) { s_->version = h.version; }
  void Take(const NodeIdRec& r) { s_->node_id = r.node_id; }
  void Take(const VoteRec& r) { s_->vote = r.vote; }
  void Take(const CommittedRec& r) { s_->committed = r.log_id; }
  void Take(const PurgedRec& r) { s_->purged = r.log_id; }
  void Take(const LastAppliedRec& r) { s_->last_applied = r.log_id; }
  void Take(const LastMembershipRec& r) { s_->membership = r.membership; }
  void Take(const NodeRec& r) { s_->nodes.push_back(r); }
  void Take(const SequenceRec& r) { s_->sequences[r.name] = r.value; }
  void Take(const LogEntryRec& r) {
    const uint64_t index = r.entry.log_id.index;
    if (!s_->first_log_index) s_->first_log_index = index;
    s_->last_log_index = index;
  }
  void Take(const KvRec& r) {
    s_->keys++;
    s_->value_bytes += r.value.data.size();
    if (r.value.ExpireMs()) s_->keys_with_ttl++;
    const uint64_t seq = r.value.seq;
    s_->min_key_seq = s_->min_key_seq ? std::min(*s_->min_key_seq, seq) : seq;
    s_->max_key_seq = s_->max_key_seq ? std::max(*s_->max_key_seq, seq) : seq;
    prefixes_.Add(r.key, r.value.data.size(), &s_->other_prefixes);
  }
  // Counted by kind only.
  void Take(const ExpireRec&) {}
  void Take(const ObsoleteRec&) {}
  void Take(const FooterRec&) {}  // never visited: the reader checks the footer itself

  InspectSummary* s_;
  PrefixTable prefixes_;
};

}  // namespace

std::string_view KeyPrefix(std::string_view key) {
  const size_t first = key.find('/');
  if (first == std::string_view::npos) return key;
  const size_t second = key.find('/', first + 1);
  return key.substr(0, (second == std::string_view::npos ? first : second) + 1);
}

const char* RecordKindNameAt(size_t index) {
  static const auto names = []<size_t... I>(std::index_sequence<I...>) {
    return std::array<const char*, sizeof...(I)>{RecordKindName(RecordBody(std::in_place_index<I>))...};
  }(std::make_index_sequence<std::variant_size_v<RecordBody>>());
  return names.at(index);
}

const char* FooterStateName(FooterState s) {
  switch (s) {
    case FooterState::kVerified: return "verified";
    case FooterState::kAbsent: return "absent";
    case FooterState::kMismatch: return "mismatch";
  }
  return "?";
}

Result<InspectSummary> InspectStream(std::istream& in, size_t max_prefixes) {
  InspectSummary s;
  Summarizer summarizer(&s, max_prefixes);
  // Footers are optional here: databend's exports have none, and "absent" is an answer.
  ExportStreamReader reader({ExportStreamReader::Origin::kFile, /*allow_no_footer=*/true});
  Status st = reader.ReadAll(in, [&](const Record& rec) {
    summarizer.Add(rec);
    return Status::OK();
  });
  s.records = reader.records();
  if (reader.footer_seen()) {
    s.footer_read = reader.footer();
    s.footer_computed = reader.computed_footer();
  }
  // The reader refused the footer exactly when the two differ; nothing follows a refused
  // footer, so the summary is complete.
  const bool mismatch = reader.footer_seen() && s.footer_read != s.footer_computed;
  if (!st.ok() && !mismatch) return st;
  s.footer = mismatch ? FooterState::kMismatch
                      : reader.footer_seen() ? FooterState::kVerified : FooterState::kAbsent;
  summarizer.Finish();
  return s;
}

}  // namespace raftstore::transfer
