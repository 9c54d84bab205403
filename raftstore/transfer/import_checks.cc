#include "raftstore/transfer/import_checks.h"

#include <array>
#include <cstring>
#include <set>

#include <spdlog/spdlog.h>

#include "raftstore/common/sha256.h"
#include "raftstore/model/json_util.h"
#include "raftstore/sm/state_machine.h"

namespace raftstore::transfer {

namespace {

std::string Line(uint64_t line) { return "line " + std::to_string(line); }

std::string ExpireName(const ExpireKey& k) {
  return "expire index entry (time_ms " + std::to_string(k.time_ms) + ", seq " + std::to_string(k.seq) + ")";
}

}  // namespace

void ImportChecks::KeySeqSum::Add(const std::string& key, uint64_t seq) {
  thread_local Sha256 sha;
  sha.Reset();
  sha.Update(key);
  unsigned char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(seq >> (8 * i));
  sha.Update(le, sizeof le);  // fixed width after the key: (key, seq) -> bytes is one to one
  const std::array<uint8_t, 32> d = sha.Digest();
  uint64_t half[2];
  std::memcpy(half, d.data(), sizeof half);
  sum_[0] += half[0];  // sums modulo 2^64: the order of the pairs does not matter
  sum_[1] += half[1];
  ++count_;
}

std::string ImportChecks::Quote(const std::string& key) {
  return Json(key).dump(-1, ' ', false, Json::error_handler_t::replace);
}

template <typename Id, typename Describe>
Status ImportChecks::CheckOnce(Order<Id>* order, const Id& id, const Record& record, uint64_t line,
                               const Describe& what, const char* plural) {
  if (order->prev && id == *order->prev) {
    return Status::Corruption(Line(order->prev_line) + " and " + Line(line) + ": " + what() + " appears twice");
  }
  if (order->prev && id < *order->prev) order->ascending = false;
  if (!order->ascending) {
    // Out of order: the earlier copy can be anywhere, so ask what was written (exact; only
    // this line is known).
    RS_ASSIGN_OR_RETURN(bool held, written_->Holds(record));
    if (held) {
      return Status::Corruption(Line(line) + ": " + what() + " appears twice (also at an earlier line; the stream " +
                                "does not list " + plural + " in order, so only this line is known)");
    }
  }
  if (!order->prev || *order->prev < id) {
    order->prev = id;
    order->prev_line = line;
  }
  return Status::OK();
}

Status ImportChecks::CheckSingleton(const Record& record, uint64_t line) {
  const RecordBody& b = record.body;
  if (!(std::holds_alternative<NodeIdRec>(b) || std::holds_alternative<VoteRec>(b) ||
        std::holds_alternative<CommittedRec>(b) || std::holds_alternative<PurgedRec>(b) ||
        std::holds_alternative<LastAppliedRec>(b) || std::holds_alternative<LastMembershipRec>(b))) {
    return Status::OK();
  }
  auto [it, inserted] = singleton_lines_.emplace(b.index(), line);
  if (!inserted) {
    return Status::Corruption(Line(line) + ": " + RecordKindName(b) + " repeats (first at line " +
                              std::to_string(it->second) + ")");
  }
  return Status::OK();
}

Status ImportChecks::CheckLogIndex(uint64_t index, uint64_t line) {
  if (log_entries_ > 0 && index == last_log_index_) {
    return Status::Corruption(Line(last_log_line_) + " and " + Line(line) + ": log index " + std::to_string(index) +
                              " appears twice");
  }
  if (log_entries_ > 0 && index < last_log_index_) {
    return Status::Corruption(Line(line) + ": log index " + std::to_string(index) +
                              " is out of order (the previous entry, at line " + std::to_string(last_log_line_) +
                              ", has index " + std::to_string(last_log_index_) + ")");
  }
  ++log_entries_;
  last_log_index_ = index;
  last_log_line_ = line;
  return Status::OK();
}

Status ImportChecks::Observe(const Record& record, uint64_t line) {
  const RecordBody& b = record.body;
  RS_RETURN_IF_ERROR(CheckSingleton(record, line));
  if (const auto* e = std::get_if<LogEntryRec>(&b)) return CheckLogIndex(e->entry.log_id.index, line);
  if (const auto* kv = std::get_if<KvRec>(&b)) {
    RS_RETURN_IF_ERROR(CheckOnce(&keys_, kv->key, record, line, [&] { return "key " + Quote(kv->key); }, "keys"));
    if (kv->value.meta && kv->value.meta->expire_at) ttl_pairs_.Add(kv->key, kv->value.seq);
    if (kv->value.seq > max_seq_ || max_seq_line_ == 0) {
      max_seq_ = std::max(max_seq_, kv->value.seq);
      max_seq_line_ = line;
      max_seq_key_ = kv->key;
    }
    return Status::OK();
  }
  if (const auto* n = std::get_if<NodeRec>(&b)) {
    return CheckOnce(&nodes_, n->node_id, record, line, [&] { return "node id " + std::to_string(n->node_id); },
                     "node ids");
  }
  if (const auto* x = std::get_if<ExpireRec>(&b)) {
    RS_RETURN_IF_ERROR(CheckOnce(&expires_, std::pair{x->key.time_ms, x->key.seq}, record, line,
                                 [&] { return ExpireName(x->key); }, "expire index entries"));
    expire_pairs_.Add(x->value.key, x->key.seq);
    if (!expire_runs_.empty() && expire_runs_.back().first + expire_runs_.back().second == line) {
      ++expire_runs_.back().second;
    } else {
      expire_runs_.emplace_back(line, 1);
    }
    return Status::OK();
  }
  if (const auto* s = std::get_if<SequenceRec>(&b)) {
    RS_RETURN_IF_ERROR(CheckOnce(&sequences_, s->name, record, line, [&] { return "sequence " + Quote(s->name); }, "sequences"));
    if (s->name == kKvSequence) {
      sequence_ = s->value;
      sequence_line_ = line;
    }
    return Status::OK();
  }
  if (const auto* p = std::get_if<PurgedRec>(&b)) {
    purged_ = p->log_id;
  } else if (const auto* a = std::get_if<LastAppliedRec>(&b)) {
    last_applied_ = a->log_id;
    last_applied_line_ = line;
  } else if (const auto* m = std::get_if<LastMembershipRec>(&b)) {
    membership_ = m->membership.membership;
    membership_line_ = line;
  }
  return Status::OK();
}

Result<std::optional<uint64_t>> ImportChecks::Finish() {
  RS_RETURN_IF_ERROR(CheckLastApplied());
  RS_RETURN_IF_ERROR(CheckMembership());
  RS_RETURN_IF_ERROR(CheckExpireIndex());
  return CheckSequence();
}

Status ImportChecks::CheckLastApplied() const {
  if (!last_applied_) return Status::OK();
  const uint64_t applied = last_applied_->index;
  const uint64_t purged = purged_ ? purged_->index : 0;
  if ((log_entries_ > 0 && applied <= last_log_index_) || applied <= purged) return Status::OK();
  std::string log = log_entries_ == 0 ? "the stream has no log entries"
                                      : "the last log entry is index " + std::to_string(last_log_index_) + " (line " +
                                            std::to_string(last_log_line_) + ")";
  return Status::Corruption(Line(last_applied_line_) + ": LastApplied is index " + std::to_string(applied) +
                            ", beyond the log: " + log + " and the log is purged only up to index " +
                            std::to_string(purged) + "; the stream is incomplete or altered: export the source again");
}

Status ImportChecks::CheckMembership() {
  if (!membership_) return Status::OK();
  std::set<uint64_t> named = membership_->Voters();
  named.insert(membership_->nodes.begin(), membership_->nodes.end());
  std::string missing;
  for (uint64_t id : named) {
    RS_ASSIGN_OR_RETURN(bool held, written_->Holds(Record{kTreeStateMachine, NodeRec{id, {}}}));
    if (!held) missing += (missing.empty() ? "" : ", ") + std::to_string(id);
  }
  if (missing.empty()) return Status::OK();
  return Status::Corruption(Line(membership_line_) + ": LastMembership names node(s) " + missing +
                            " that have no Nodes record in the stream; the stream is incomplete or altered");
}

Status ImportChecks::CheckExpireIndex() {
  if (expire_pairs_ == ttl_pairs_) return Status::OK();  // the header comment: nothing to look up
  // While the Expire records ascended, the written index lists them in stream order.
  size_t run = 0;
  uint64_t in_run = 0;
  return written_->ForEachExpire([&](const ExpireRec& x) -> Status {
    std::string where = "an " + ExpireName(x.key);
    if (expires_.ascending && run < expire_runs_.size()) {
      where = Line(expire_runs_[run].first + in_run) + ": " + ExpireName(x.key);
      if (++in_run == expire_runs_[run].second) {
        ++run;
        in_run = 0;
      }
    }
    RS_ASSIGN_OR_RETURN(std::optional<SeqV> v, written_->ReadKv(x.value.key));
    if (!v) {
      return Status::Corruption(where + " names key " + Quote(x.value.key) + ", which the stream does not hold");
    }
    if (v->seq != x.key.seq) {
      return Status::Corruption(where + " names key " + Quote(x.value.key) + ", which has seq " +
                                std::to_string(v->seq) + ", not " + std::to_string(x.key.seq));
    }
    return Status::OK();
  });
}

Result<std::optional<uint64_t>> ImportChecks::CheckSequence() const {
  const uint64_t seq = sequence_.value_or(0);
  if (max_seq_ <= seq) return std::optional<uint64_t>();
  const std::string what =
      (sequence_ ? Line(sequence_line_) + ": the " + kKvSequence + " sequence is " + std::to_string(seq)
                 : std::string("the stream has no ") + kKvSequence + " sequence (Sequences record)") +
      ", below seq " + std::to_string(max_seq_) + " of key " + Quote(max_seq_key_) + " at " + Line(max_seq_line_);
  if (!options_.repair_seq && !options_.bump_seq) {
    return Status::Corruption(what + ": the server would hand out seqs that keys already have; add --repair-seq to "
                              "set it to " + std::to_string(max_seq_) + ", or --bump-seq N to set it to " +
                              std::to_string(max_seq_) + " + N");
  }
  spdlog::warn("{}; {} {}", what, options_.bump_seq ? "--bump-seq counts from" : "--repair-seq sets it to", max_seq_);
  return std::optional<uint64_t>(max_seq_);
}

}  // namespace raftstore::transfer
