#include "raftstore/backup/manifest.h"

#include <cstdint>
#include <ctime>
#include <set>
#include <utility>

#include "raftstore/backup/hash.h"
#include "raftstore/common/hex.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace pb = metasrv::backup;

std::string ManifestKey(const std::string& id) {
  return std::string(kManifestDir) + id + kManifestSuffix;
}
std::string BlockKey(const std::string& sha256_hex) { return std::string(kDataDir) + sha256_hex; }
std::string BlockHex(const pb::BlockRef& b) {
  return HexEncode(b.sha256());
}

// `unix_ms` as UTC in the strftime `format`.
// Whether `path` is relative and every part of it is a plain name: no empty, "." or ".."
// part. A restore writes each manifest path under its target, so ".." could escape it, and "."
// or "" would let "a/./b" and "a/b" name one file under two entries, getting past the
// listed-twice and under-a-symlink checks below.
static bool IsPlainRelativePath(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  for (size_t p = 0;;) {
    const size_t q = path.find('/', p);
    const std::string part = path.substr(p, q == std::string::npos ? std::string::npos : q - p);
    if (part.empty() || part == "." || part == "..") return false;
    if (q == std::string::npos) return true;
    p = q + 1;
  }
}

static std::string FormatUtc(int64_t unix_ms, const char* format) {
  time_t t = static_cast<time_t>(unix_ms / 1000);
  struct tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string BackupIdForTime(int64_t unix_ms) { return FormatUtc(unix_ms, "%Y%m%d_%H%M%S"); }

std::string FormatTime(int64_t unix_ms) { return FormatUtc(unix_ms, "%Y-%m-%d %H:%M:%S UTC"); }

std::string EncodeManifest(const pb::Manifest& m) {
  pb::ManifestFile f;
  f.set_format_version(m.format_version());
  std::string body;
  m.SerializeToString(&body);
  Digest d = Sha256Digest(body);
  f.set_manifest_sha256(std::string(reinterpret_cast<const char*>(d.data()), d.size()));
  f.set_manifest(std::move(body));
  std::string out;
  f.SerializeToString(&out);
  return out;
}

// Whether `blocks` are well formed and add up to `size` bytes (without wrapping around).
static Status CheckBlocks(const google::protobuf::RepeatedPtrField<pb::BlockRef>& blocks, uint64_t size,
                          const std::string& what) {
  uint64_t sum = 0;
  for (const auto& b : blocks) {
    if (b.sha256().size() != 32) return Status::Corruption(what + ": bad block digest");
    if (b.size() > UINT64_MAX - sum) return Status::Corruption(what + ": block sizes overflow");
    // The rule of block_codec.h: a compressed object is strictly smaller than its block.
    if (b.stored_size() >= b.size() && b.stored_size() != 0) {
      return Status::Corruption(what + ": block stored size " + std::to_string(b.stored_size()) +
                                " is not below its size " + std::to_string(b.size()));
    }
    sum += b.size();
  }
  if (sum != size) {
    return Status::Corruption(what + ": blocks add up to " + std::to_string(sum) + " bytes, expected " +
                              std::to_string(size));
  }
  return Status::OK();
}

// With several data dirs, each is restored into a sub-folder of its name: one plain path part.
static Status CheckDataDirNames(const pb::Manifest& m, const std::string& context) {
  if (m.data_dirs_size() <= 1) return Status::OK();
  std::set<std::string> names;
  for (const auto& d : m.data_dirs()) {
    const std::string& n = d.name();
    if (!IsPlainRelativePath(n) || n.find('/') != std::string::npos || !names.insert(n).second) {
      return Status::Corruption(context + "bad or repeated data dir name \"" + n + "\"");
    }
  }
  return Status::OK();
}

// Each entry on its own: a data dir that exists, a path that stays inside it, whole blocks.
static Status CheckFileEntries(const pb::Manifest& m, const std::string& context) {
  for (const auto& f : m.files()) {
    if (f.dir_index() >= static_cast<uint32_t>(m.data_dirs_size())) {
      return Status::Corruption(context + "file " + f.path() + ": bad data dir index");
    }
    if (!IsPlainRelativePath(f.path())) {
      return Status::Corruption(context + "unsafe path \"" + f.path() +
                                "\" (absolute, or with an empty, \".\" or \"..\" part)");
    }
    if (f.type() == pb::FileEntry::REGULAR) {
      RS_RETURN_IF_ERROR(CheckBlocks(f.blocks(), f.size(), context + "file " + f.path()));
    }
  }
  return Status::OK();
}

// Entries against each other. Restore makes the symlinks before it writes the files, so a file
// at a symlink's path or under it would be written through the link, wherever it points.
// Precondition: CheckFileEntries passed (paths are plain, so one spelling per file).
static Status CheckNoAliasing(const pb::Manifest& m, const std::string& context) {
  std::set<std::pair<uint32_t, std::string>> paths, links;
  for (const auto& f : m.files()) {
    if (!paths.insert({f.dir_index(), f.path()}).second) {
      return Status::Corruption(context + "file " + f.path() + " is listed twice");
    }
    if (f.type() == pb::FileEntry::SYMLINK) links.insert({f.dir_index(), f.path()});
  }
  for (const auto& f : m.files()) {
    for (size_t q = f.path().find('/'); !links.empty() && q != std::string::npos; q = f.path().find('/', q + 1)) {
      if (links.count({f.dir_index(), f.path().substr(0, q)}) > 0) {
        return Status::Corruption(context + "file " + f.path() + " lies under the symlink " + f.path().substr(0, q));
      }
    }
  }
  return Status::OK();
}

// What restore relies on in a decoded body; `context` ("manifest X: ") starts each message.
static Status CheckManifestBody(const pb::Manifest& m, const std::string& context) {
  if (m.has_metadata()) RS_RETURN_IF_ERROR(CheckBlocks(m.metadata().blocks(), m.metadata().size(), context + "metadata"));
  RS_RETURN_IF_ERROR(CheckDataDirNames(m, context));
  RS_RETURN_IF_ERROR(CheckFileEntries(m, context));
  return CheckNoAliasing(m, context);
}

Result<pb::Manifest> DecodeManifest(const std::string& bytes, const std::string& where) {
  pb::ManifestFile f;
  if (!f.ParseFromString(bytes)) {
    return Status::Corruption("manifest " + where + ": not a backup manifest (parse failed)");
  }
  if (f.format_version() < kOldestManifestFormatVersion ||
      f.format_version() > kManifestFormatVersion) {
    return Status::Corruption("manifest " + where + ": format version " +
                              std::to_string(f.format_version()) + " is not supported (this "
                              "metactl reads versions " + std::to_string(kOldestManifestFormatVersion) + " to " +
                              std::to_string(kManifestFormatVersion) +
                              "): use a newer metactl");
  }
  Digest d = Sha256Digest(f.manifest());
  if (f.manifest_sha256() != std::string(reinterpret_cast<const char*>(d.data()), d.size())) {
    return Status::Corruption("manifest " + where + ": checksum mismatch (the object is damaged)");
  }
  pb::Manifest m;
  if (!m.ParseFromString(f.manifest())) {
    return Status::Corruption("manifest " + where + ": body does not parse");
  }
  if (m.format_version() != f.format_version()) {
    return Status::Corruption("manifest " + where + ": the body's format version " + std::to_string(m.format_version()) +
                              " differs from the envelope's " + std::to_string(f.format_version()));
  }
  RS_RETURN_IF_ERROR(CheckManifestBody(m, "manifest " + where + ": "));
  return m;
}

Result<std::vector<std::string>> ListBackupIds(ObjectStore& store) {
  RS_ASSIGN_OR_RETURN(auto objects, store.List(kManifestDir));
  std::vector<std::string> ids;
  std::string suffix = kManifestSuffix;
  for (const auto& o : objects) {
    std::string name = o.key.substr(std::string(kManifestDir).size());
    if (name.size() <= suffix.size() || name.find('/') != std::string::npos ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    ids.push_back(name.substr(0, name.size() - suffix.size()));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<pb::Manifest> LoadManifest(ObjectStore& store, const std::string& id) {
  auto bytes = store.Get(ManifestKey(id));
  if (!bytes.ok()) {
    if (bytes.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("backup " + id + " not found at " + store.Describe() +
                              ": run `metactl backups LOCATION` to list the backups");
    }
    return bytes.status();
  }
  return DecodeManifest(*bytes, ManifestKey(id));
}

Result<std::string> ResolveBackupId(ObjectStore& store, const std::string& id) {
  if (!id.empty()) return id;
  RS_ASSIGN_OR_RETURN(auto ids, ListBackupIds(store));
  if (ids.empty()) {
    return Status::NotFound("no backups at " + store.Describe() +
                            ": check the location (it should have a manifests/ folder)");
  }
  return ids.back();
}

std::string DisplayPath(const pb::Manifest& m, const pb::FileEntry& f) {
  if (m.data_dirs_size() <= 1) return f.path();
  return m.data_dirs(static_cast<int>(f.dir_index())).name() + "/" + f.path();
}

uint64_t CountBlockRefs(const pb::Manifest& m) {
  uint64_t n = m.has_metadata() ? static_cast<uint64_t>(m.metadata().blocks_size()) : 0;
  for (const auto& f : m.files()) n += static_cast<uint64_t>(f.blocks_size());
  return n;
}

}  // namespace raftstore::backup
