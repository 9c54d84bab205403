#include "raftstore/storage/snapshot_store.h"

#include <cerrno>
#include <filesystem>

#include "raftstore/export_format/record.h"
#include "raftstore/common/file_util.h"
#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/rocks_access.h"
#include "raftstore/model/membership.h"

namespace raftstore {

using storage_internal::GetJson;
using storage_internal::PutJsonOrDelete;

namespace {

constexpr char kSnapshotPrefixes[] = {keys::kPrefixExpire, keys::kPrefixKv, keys::kPrefixSmMeta, keys::kPrefixNode,
                                      keys::kPrefixSequence};
constexpr size_t kCopyBatchBytes = 1 << 20;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

Result<LogId> DecodeLastApplied(const std::string& raw, const std::string& where) {
  Json j = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(where + ": last_applied is not valid JSON");
  std::optional<LogId> id;
  RS_RETURN_IF_ERROR(FromJson(j, where + ": last_applied", &id));
  if (!id) return Status::Corruption(where + ": last_applied is null");
  return *id;
}

std::string MarkerValue(const raft::SnapshotMeta& meta) {
  return Json{{"index", meta.index}, {"term", meta.term}}.dump();
}

// Step 3 and 4 of the install protocol (the marker for `meta` is already durable). The final
// batch is written only if the file's LastApplied is `meta`'s index and term.
Result<LogId> CopyStagedSnapshot(RaftDir* dir, const std::string& staged, const raft::SnapshotMeta& meta,
                                 const InstallFaults& faults) {
  rocksdb::WriteBatch b;
  // The log and the old state machine go in the first batch; the marker stays.
  for (char p : {keys::kPrefixLog, keys::kPrefixExpire, keys::kPrefixKv, keys::kPrefixSmMeta, keys::kPrefixNode,
                 keys::kPrefixSequence}) {
    const std::string lo(1, p);
    b.DeleteRange(lo, keys::PrefixEnd(lo));
  }
  std::optional<LogId> last_applied;
  int64_t batches = 0;
  Status st = ForEachSnapshotPair(staged, [&](std::string_view key, std::string_view value) -> Status {
    if (key == keys::kLastApplied) {
      RS_ASSIGN_OR_RETURN(LogId id, DecodeLastApplied(std::string(value), staged));
      last_applied = id;
    }
    b.Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
    if (b.GetDataSize() >= kCopyBatchBytes) {
      RS_RETURN_IF_ERROR(storage_internal::Write(*dir, &b, /*sync=*/false));
      b.Clear();
      if (faults.abort_after_batches >= 0 && ++batches >= faults.abort_after_batches) {
        return Status::Aborted("fault injection: snapshot install stopped after " + std::to_string(batches) +
                               " batches");
      }
    }
    return Status::OK();
  });
  RS_RETURN_IF_ERROR(st);
  if (!last_applied) return Status::Corruption(staged + ": the snapshot has no last_applied");
  if (last_applied->index != meta.index || last_applied->leader_id.term != meta.term) {
    return Status::Corruption(staged + ": the staged snapshot is at index " + std::to_string(last_applied->index) +
                              " term " + std::to_string(last_applied->leader_id.term) + ", but the install is of index " +
                              std::to_string(meta.index) + " term " + std::to_string(meta.term));
  }
  PutJsonOrDelete(&b, keys::kPurged, last_applied);
  PutJsonOrDelete(&b, keys::kCommitted, last_applied);
  b.Delete(keys::kSnapshotInstall);
  RS_RETURN_IF_ERROR(storage_internal::Write(*dir, &b, /*sync=*/true));
  std::error_code ec;
  std::filesystem::remove(staged, ec);  // a stray file is removed at the next open
  return *last_applied;
}

}  // namespace

bool IsSnapshotKey(std::string_view key) {
  if (key.empty()) return false;
  for (char p : kSnapshotPrefixes) {
    if (key[0] == p) return true;
  }
  return false;
}

std::string StagedSnapshotPath(const std::string& raft_dir) { return raft_dir + "/snapshot.incoming"; }

Result<raft::SnapshotMeta> ReadSnapshotMeta(const RaftDir& dir, const ReadView* view) {
  std::optional<LogId> applied;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kLastApplied, &applied, view));
  if (!applied) return Status::NotFound(dir.path() + ": nothing applied yet, there is no snapshot");
  std::optional<StoredMembership> m;
  RS_RETURN_IF_ERROR(GetJson(dir, keys::kLastMembership, &m, view));
  raft::SnapshotMeta meta;
  meta.index = applied->index;
  meta.term = applied->leader_id.term;
  if (m) meta.membership = ToMembershipConfig(m->membership);
  return meta;
}

Status ForEachStateMachinePair(const RaftDir& dir, const ReadView* view,
                               const std::function<Status(std::string_view key, std::string_view value)>& visit) {
  for (char p : kSnapshotPrefixes) {
    const std::string start(1, p);
    Status inner;
    RS_RETURN_IF_ERROR(storage_internal::ScanRange(
        dir, view, start, keys::PrefixEnd(start),
        [&](std::string_view k, std::string_view v) {
          inner = visit(k, v);
          return inner.ok();
        },
        /*fill_cache=*/false));
    RS_RETURN_IF_ERROR(inner);
  }
  return Status::OK();
}

void AppendSnapshotFrame(std::string* out, std::string_view key, std::string_view value) {
  PutU32(out, static_cast<uint32_t>(key.size()));
  PutU32(out, static_cast<uint32_t>(value.size()));
  out->append(key);
  out->append(value);
}

Result<std::unique_ptr<SnapshotWriter>> SnapshotWriter::Create(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return Status::IOError("create snapshot file " + path + ": " + ErrnoText(errno));
  return std::unique_ptr<SnapshotWriter>(new SnapshotWriter(path, f));
}

SnapshotWriter::~SnapshotWriter() {
  if (f_ != nullptr) std::fclose(f_);
}

Status SnapshotWriter::Add(std::string_view key, std::string_view value) {
  if (!IsSnapshotKey(key)) {
    return Status::InvalidArgument("snapshot pair " + std::to_string(pairs_ + 1) + " has key prefix '" +
                                   (key.empty() ? std::string() : std::string(1, key[0])) +
                                   "', which is not a state-machine key");
  }
  if (key == keys::kLastApplied) last_applied_ = std::string(value);
  frame_.clear();
  AppendSnapshotFrame(&frame_, key, value);
  sha_.Update(frame_);
  if (std::fwrite(frame_.data(), 1, frame_.size(), f_) != frame_.size()) {
    return Status::IOError("write snapshot file " + path_ + ": " + ErrnoText(errno));
  }
  ++pairs_;
  return Status::OK();
}

Status SnapshotWriter::Finish(uint64_t expect_pairs, const std::string& expect_sha256, const raft::SnapshotMeta& meta) {
  const bool flushed = std::fflush(f_) == 0;
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!flushed || !closed) return Status::IOError("write snapshot file " + path_ + ": " + ErrnoText(errno));
  RS_RETURN_IF_ERROR(SyncFile(path_));
  RS_RETURN_IF_ERROR(SyncDir(ParentDir(path_)));
  if (pairs_ != expect_pairs) {
    return Status::Corruption("snapshot " + std::to_string(meta.index) + ": received " + std::to_string(pairs_) +
                              " pairs, the sender sent " + std::to_string(expect_pairs));
  }
  const std::string got = sha_.HexDigest();
  if (got != expect_sha256) {
    return Status::Corruption("snapshot " + std::to_string(meta.index) + ": sha256 of the received pairs is " + got +
                              ", the sender's is " + expect_sha256);
  }
  if (!last_applied_) return Status::Corruption("snapshot " + std::to_string(meta.index) + " has no last_applied");
  RS_ASSIGN_OR_RETURN(LogId id, DecodeLastApplied(*last_applied_, path_));
  if (id.index != meta.index || id.leader_id.term != meta.term) {
    return Status::Corruption("snapshot data is at index " + std::to_string(id.index) + " term " +
                              std::to_string(id.leader_id.term) + ", but its message says index " +
                              std::to_string(meta.index) + " term " + std::to_string(meta.term));
  }
  return Status::OK();
}

Status ForEachSnapshotPair(const std::string& path,
                           const std::function<Status(std::string_view key, std::string_view value)>& visit) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::IOError("open snapshot file " + path + ": " + ErrnoText(errno));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Status::IOError("size of snapshot file " + path + ": " + ec.message());
  std::string buf;
  uint64_t offset = 0;
  for (;;) {
    unsigned char head[8];
    const size_t n = std::fread(head, 1, sizeof head, f.get());
    if (n == 0 && std::feof(f.get())) return Status::OK();
    if (n != sizeof head) {
      return Status::Corruption(path + ": truncated snapshot frame header at offset " + std::to_string(offset));
    }
    const uint32_t klen = GetU32(head), vlen = GetU32(head + 4);
    if (static_cast<uint64_t>(klen) + vlen > size - offset - sizeof head) {
      return Status::Corruption(path + ": truncated snapshot frame at offset " + std::to_string(offset) + " (it claims " +
                                std::to_string(static_cast<uint64_t>(klen) + vlen) + " bytes)");
    }
    buf.resize(static_cast<size_t>(klen) + vlen);
    if (std::fread(buf.data(), 1, buf.size(), f.get()) != buf.size()) {
      return Status::Corruption(path + ": truncated snapshot frame at offset " + std::to_string(offset));
    }
    RS_RETURN_IF_ERROR(visit(std::string_view(buf.data(), klen), std::string_view(buf.data() + klen, vlen)));
    offset += sizeof head + buf.size();
  }
}

Result<LogId> InstallStagedSnapshot(RaftDir* dir, const std::string& staged, const raft::SnapshotMeta& meta,
                                    const InstallFaults& faults) {
  rocksdb::WriteBatch marker;
  marker.Put(keys::kSnapshotInstall, MarkerValue(meta));
  RS_RETURN_IF_ERROR(storage_internal::Write(*dir, &marker, /*sync=*/true));
  return CopyStagedSnapshot(dir, staged, meta, faults);
}

Result<std::optional<LogId>> RecoverInterruptedInstall(RaftDir* dir) {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> stored, storage_internal::Get(*dir, keys::kSnapshotInstall));
  const std::string staged = StagedSnapshotPath(dir->path());
  std::error_code ec;
  if (!stored) {
    std::filesystem::remove(staged, ec);  // an incomplete receive: the old state stands
    return std::optional<LogId>();
  }
  const std::string& raw = *stored;
  if (!std::filesystem::exists(staged, ec)) {
    return Status::Corruption(dir->path() + ": a snapshot install (" + raw + ") was interrupted and its staged file " +
                              staged + " is gone; this dir cannot be used: remove it and re-add the node");
  }
  Json marker = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (!marker.is_object() || !marker["index"].is_number_unsigned() || !marker["term"].is_number_unsigned()) {
    return Status::Corruption(dir->path() + ": the snapshot install marker is not {\"index\",\"term\"}: " + raw);
  }
  raft::SnapshotMeta meta;
  meta.index = marker["index"].get<uint64_t>();
  meta.term = marker["term"].get<uint64_t>();
  RS_ASSIGN_OR_RETURN(LogId id, CopyStagedSnapshot(dir, staged, meta, InstallFaults{}));
  return std::optional<LogId>(id);
}

}  // namespace raftstore
