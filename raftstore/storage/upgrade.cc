#include "raftstore/storage/upgrade.h"

#include <spdlog/spdlog.h>

#include "raftstore/common/parse_number.h"
#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/rocks_access.h"

namespace raftstore {

namespace {

constexpr size_t kUpgradeBatchBytes = 1 << 20;
UpgradeFaults faults;  // tests only; set before any dir is opened

Result<uint64_t> ResumeIndex(const RaftDir& dir) {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> mark, storage_internal::Get(dir, keys::kUpgradeProgress));
  uint64_t done = 0;
  if (mark && !ParseDecimalU64(*mark, &done)) {
    return Status::Corruption(dir.path() + ": the upgrade progress mark \"" + *mark + "\" is not a log index");
  }
  return mark ? done + 1 : 0;
}

}  // namespace

void SetUpgradeFaultsForTest(const UpgradeFaults& f) { faults = f; }

Status UpgradeFromPreviousVersion(RaftDir* dir) {
  const std::string what = "upgrade raft dir " + dir->path() + " from " + keys::kPreviousDataVersion + " to " +
                           keys::kDataVersion;
  RS_ASSIGN_OR_RETURN(uint64_t from, ResumeIndex(*dir));
  rocksdb::WriteBatch b;
  uint64_t converted = 0;
  int batches = 0;
  Status inner;
  const std::string log_start(1, keys::kPrefixLog);
  RS_RETURN_IF_ERROR(storage_internal::ScanRange(
      *dir, nullptr, keys::LogKey(from), keys::PrefixEnd(log_start), [&](std::string_view k, std::string_view v) {
        const uint64_t index = keys::ReadBigEndian64(k.substr(1));
        LogEntry e;
        inner = storage_internal::DecodeStoredJson(*dir, k, v, &e);
        if (!inner.ok()) return false;
        b.Put(rocksdb::Slice(k.data(), k.size()), EncodeStoredLogEntry(e));
        ++converted;
        if (b.GetDataSize() < (faults.batch_bytes ? faults.batch_bytes : kUpgradeBatchBytes)) return true;
        b.Put(keys::kUpgradeProgress, std::to_string(index));
        inner = storage_internal::Write(*dir, &b, /*sync=*/false);
        b.Clear();
        if (inner.ok() && faults.abort_after_batches >= 0 && ++batches >= faults.abort_after_batches) {
          inner = Status::Aborted("fault injection: upgrade stopped after " + std::to_string(batches) + " batches");
        }
        return inner.ok();
      }));
  RS_RETURN_IF_ERROR(inner.WithContext(what));
  b.Put(keys::kDataVersionKey, keys::kDataVersion);
  b.Delete(keys::kUpgradeProgress);
  RS_RETURN_IF_ERROR(storage_internal::Write(*dir, &b, /*sync=*/true).WithContext(what));
  spdlog::info("{}: {} raft log entries re-encoded{}", what, converted,
               from > 0 ? " (resumed an upgrade a crash had interrupted)" : "");
  return Status::OK();
}

}  // namespace raftstore
