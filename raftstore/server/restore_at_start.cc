#include "raftstore/server/restore_at_start.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "raftstore/backup/block_reader.h"
#include "raftstore/backup/encryption.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/file_util.h"
#include "raftstore/transfer/importer.h"
#include "raftstore/transfer/peer.h"

namespace raftstore::server {

namespace {

namespace fs = std::filesystem;

struct Marker {
  uint64_t version = 0;
  std::string backup_id;
};

// The marker of `dir`: NotFound when it has none; Corruption naming the file when unreadable.
Result<Marker> ReadMarker(const std::string& dir) {
  const std::string path = dir + "/" + kRestoreMarker;
  std::ifstream in(path);
  if (!in) return Status::NotFound(path);
  Marker m;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "version") {
      char* end = nullptr;
      m.version = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') m.version = 0;
    } else if (key == "backup") {
      m.backup_id = value;
    }
  }
  if (m.version == 0) {
    return Status::Corruption(path + " has no valid version line: restore by hand (metactl restore) "
                              "or remove the raft dir to restore it from the backup again");
  }
  return m;
}

Status CheckOptions(const RestoreAtStartOptions& o) {
  if (o.version == 0) return Status::InvalidArgument("--restore-version 0: give 1 or more");
  if (o.initial_cluster.empty()) {
    return Status::InvalidArgument("--restore-from needs --initial-cluster ID=HOST:PORT once per member "
                                   "(the restored dir seeds a new cluster, as metactl import does)");
  }
  return Status::OK();
}

// Imports the backup's metadata into `staging` (a fresh dir) and writes the marker there.
Result<RestoreAtStartResult> RestoreInto(const RestoreAtStartOptions& o, const std::string& staging) {
  RS_ASSIGN_OR_RETURN(auto opened, backup::OpenObjectStore(o.location, backup::S3Settings{},
                                                           /*create_dir=*/false));
  RS_ASSIGN_OR_RETURN(auto store, backup::OpenLocationStore(std::move(opened), o.key_file,
                                                            /*for_backup=*/false));
  const std::string id = o.restore_point == "latest" ? "" : o.restore_point;
  RS_ASSIGN_OR_RETURN(auto stream, backup::MetadataStream::Open(*store, id));
  transfer::ImportOptions io;
  io.raft_dir = staging;
  io.id = o.id;
  RS_ASSIGN_OR_RETURN(io.initial_cluster, transfer::ParseInitialCluster(o.initial_cluster));
  io.source_name = "backup " + stream->backup_id() + " at " + store->Describe();
  RS_RETURN_IF_ERROR(transfer::ValidateImportOptions(io));
  auto imported = transfer::ImportStream(*stream, io);
  // A block that failed to fetch ends the stream early: its status says why, not the import's.
  RS_RETURN_IF_ERROR(stream->status());
  if (!imported.ok()) return imported.status();
  std::ostringstream marker;
  marker << "version=" << o.version << "\nlocation=" << o.location << "\nbackup=" << stream->backup_id()
         << "\n";
  RS_RETURN_IF_ERROR(WriteFileStaged(staging + "/" + kRestoreMarker, marker.str()));
  RestoreAtStartResult r;
  r.restored = true;
  r.backup_id = stream->backup_id();
  r.version = o.version;
  r.records = imported->records;
  return r;
}

}  // namespace

Result<RestoreAtStartResult> RestoreAtStart(const RestoreAtStartOptions& o) {
  RS_RETURN_IF_ERROR(CheckOptions(o));
  const std::string dir = fs::absolute(o.raft_dir).lexically_normal().string();
  const std::string staging = dir + ".restore-staging";
  RS_RETURN_IF_ERROR(RemoveAll(staging));  // left by a kill during an earlier start
  if (!IsMissingOrEmptyDir(dir)) {
    auto marker = ReadMarker(dir);
    if (marker.status().code() == Status::Code::kNotFound) {
      return Status::InvalidArgument(
          "--restore-from: raft dir " + dir + " holds data that was not restored from a backup (no " +
          kRestoreMarker + " in it): metasrv does not replace it; start without --restore-from, or "
          "move the dir away to restore into it");
    }
    if (!marker.ok()) return marker.status();
    if (marker->version >= o.version) {
      return RestoreAtStartResult{false, marker->backup_id, marker->version, 0};
    }
    spdlog::warn("--restore-version {} is above the version {} recorded in {}: restoring again, the "
                 "raft dir's content is replaced once the restore is complete",
                 o.version, marker->version, dir);
  }
  auto r = RestoreInto(o, staging);
  if (!r.ok()) {
    (void)RemoveAll(staging);
    return r.status().WithContext("--restore-from " + o.location + " into raft dir " + dir +
                                  " (the raft dir was left as it was)");
  }
  RS_RETURN_IF_ERROR(ReplaceDirAtomically(staging, dir));
  return r;
}

}  // namespace raftstore::server
