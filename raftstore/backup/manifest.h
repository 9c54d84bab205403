// Manifest encoding, naming and loading.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backup_manifest.pb.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

// Version 2 added content-defined chunking and compressed blocks (BlockRef.stored_size); a
// version 1 manifest reads the same way (its blocks are all stored as they are).
inline constexpr uint32_t kManifestFormatVersion = 2;
inline constexpr uint32_t kOldestManifestFormatVersion = 1;
inline constexpr const char* kManifestDir = "manifests/";
inline constexpr const char* kDataDir = "data/";
inline constexpr const char* kLockDir = "locks/";
inline constexpr const char* kManifestSuffix = ".manifest";

std::string ManifestKey(const std::string& id);  // manifests/<id>.manifest
std::string BlockKey(const std::string& sha256_hex);  // data/<sha256>
std::string BlockHex(const metasrv::backup::BlockRef& b);
// YYYYMMDD_HHMMSS in UTC.
std::string BackupIdForTime(int64_t unix_ms);
std::string FormatTime(int64_t unix_ms);  // 2024-01-02 03:04:05 UTC

std::string EncodeManifest(const metasrv::backup::Manifest& m);
// Checks the envelope checksum, the format version and the internal consistency (block sizes
// add up to file sizes, digests are 32 bytes). `where` names the object in messages.
raftstore::Result<metasrv::backup::Manifest> DecodeManifest(const std::string& bytes,
                                                            const std::string& where);

// Ids of every backup at the location, oldest first.
raftstore::Result<std::vector<std::string>> ListBackupIds(ObjectStore& store);
raftstore::Result<metasrv::backup::Manifest> LoadManifest(ObjectStore& store,
                                                          const std::string& id);
// `id` itself, or the newest backup's id when `id` is empty (`--latest`); NotFound when the
// location has no backup.
raftstore::Result<std::string> ResolveBackupId(ObjectStore& store, const std::string& id);

// Block references in the backup (metadata and files; a block used twice counts twice).
uint64_t CountBlockRefs(const metasrv::backup::Manifest& m);

// Path of a file entry as restored: "<dir name>/<path>" when the backup has several data dirs.
std::string DisplayPath(const metasrv::backup::Manifest& m, const metasrv::backup::FileEntry& f);

}  // namespace raftstore::backup
