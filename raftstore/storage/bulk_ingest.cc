#include "raftstore/storage/bulk_ingest.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include <rocksdb/sst_file_writer.h>

#include "raftstore/common/file_util.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/rocks_access.h"

namespace fs = std::filesystem;

namespace raftstore {

BulkIngest::BulkIngest(RaftDir* dir) : dir_(dir), work_dir_((fs::path(dir->path()) / "bulk-ingest").string()) {
  lanes_[0].prefix = keys::kPrefixLog;
  lanes_[1].prefix = keys::kPrefixExpire;
  lanes_[2].prefix = keys::kPrefixKv;
}

BulkIngest::~BulkIngest() = default;

Status BulkIngest::Open(Lane* lane) {
  // Private from its creation (mode 0700 in the mkdir itself, not chmod after it); EEXIST: an
  // earlier lane made it.
  if (::mkdir(work_dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("create " + work_dir_ + ": " + ErrnoText(errno));
  }
  rocksdb::DB* db = storage_internal::Access::Db(*dir_);
  rocksdb::EnvOptions env;
  env.bytes_per_sync = kWritebackBytes;  // the files are synced at Ingest(): start early
  lane->writer = std::make_unique<rocksdb::SstFileWriter>(env, db->GetOptions(), db->DefaultColumnFamily(),
                                                          /*invalidate_page_cache=*/false);
  lane->path = (fs::path(work_dir_) / (std::string(1, lane->prefix) + ".sst")).string();
  return FromRocks(lane->writer->Open(lane->path), "create table file " + lane->path);
}

Result<bool> BulkIngest::Put(std::string_view key, std::string_view value) {
  if (stopped_ || key.empty()) return false;
  Lane* lane = nullptr;
  for (Lane& l : lanes_) {
    if (l.prefix == key[0]) lane = &l;
  }
  if (lane == nullptr) return false;
  if (lane->writer == nullptr) {
    RS_RETURN_IF_ERROR(Open(lane));
  } else if (key <= std::string_view(lane->last_key)) {
    return false;  // out of order: the caller's batch takes it
  }
  RS_RETURN_IF_ERROR(FromRocks(lane->writer->Put(rocksdb::Slice(key.data(), key.size()),
                                                 rocksdb::Slice(value.data(), value.size())),
                               "write table file " + lane->path));
  lane->last_key.assign(key);
  return true;
}

Status BulkIngest::Ingest() {
  if (stopped_) return Status::OK();
  stopped_ = true;
  std::vector<std::string> files;
  for (Lane& lane : lanes_) {
    if (lane.writer == nullptr) continue;
    RS_RETURN_IF_ERROR(FromRocks(lane.writer->Finish(), "finish table file " + lane.path));  // synced
    lane.writer.reset();
    files.push_back(lane.path);
  }
  if (files.empty()) return Status::OK();
  rocksdb::IngestExternalFileOptions opts;
  opts.move_files = true;  // a hard link, not a copy: the files are in the dir already
  rocksdb::DB* db = storage_internal::Access::Db(*dir_);
  RS_RETURN_IF_ERROR(FromRocks(db->IngestExternalFile(files, opts), "ingest table files into " + dir_->path()));
  // The moved files were unlinked from the work dir; it is empty now and must not end up in the
  // imported dir.
  return RemoveAll(work_dir_);
}

}  // namespace raftstore
