#include "raftstore/backup/manifest.h"

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

Result<pb::Manifest> DecodeManifest(const std::string& bytes, const std::string& where) {
  pb::ManifestFile f;
  if (!f.ParseFromString(bytes)) {
    return Status::Corruption("manifest " + where + ": not a backup manifest (parse failed)");
  }
  if (f.format_version() != kManifestFormatVersion) {
    return Status::Corruption("manifest " + where + ": format version " +
                              std::to_string(f.format_version()) + " is not supported (this "
                              "metactl reads version " + std::to_string(kManifestFormatVersion) +
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
  auto check_blocks = [&](const google::protobuf::RepeatedPtrField<pb::BlockRef>& blocks,
                          uint64_t size, const std::string& what) -> Status {
    uint64_t sum = 0;
    for (const auto& b : blocks) {
      if (b.sha256().size() != 32) {
        return Status::Corruption("manifest " + where + ": " + what + ": bad block digest");
      }
      sum += b.size();
    }
    if (sum != size) {
      return Status::Corruption("manifest " + where + ": " + what + ": blocks add up to " +
                                std::to_string(sum) + " bytes, expected " + std::to_string(size));
    }
    return Status::OK();
  };
  if (m.has_metadata()) {
    RS_RETURN_IF_ERROR(check_blocks(m.metadata().blocks(), m.metadata().size(), "metadata"));
  }
  // With several data dirs, each is restored into a sub-folder of its name: one plain path part.
  std::set<std::string> names;
  for (const auto& d : m.data_dirs()) {
    if (m.data_dirs_size() == 1) break;
    const std::string& n = d.name();
    if (n.empty() || n == "." || n == ".." || n.find('/') != std::string::npos || !names.insert(n).second) {
      return Status::Corruption("manifest " + where + ": bad or repeated data dir name \"" + n + "\"");
    }
  }
  // Restore makes the symlinks before it writes the files, so a file at a symlink's path or
  // under it would be written through the link, wherever it points.
  std::set<std::pair<uint32_t, std::string>> paths, links;
  for (const auto& f2 : m.files()) {
    if (!paths.insert({f2.dir_index(), f2.path()}).second) {
      return Status::Corruption("manifest " + where + ": file " + f2.path() + " is listed twice");
    }
    if (f2.type() == pb::FileEntry::SYMLINK) links.insert({f2.dir_index(), f2.path()});
  }
  for (const auto& f2 : m.files()) {
    for (size_t q = f2.path().find('/'); !links.empty() && q != std::string::npos; q = f2.path().find('/', q + 1)) {
      if (links.count({f2.dir_index(), f2.path().substr(0, q)}) > 0) {
        return Status::Corruption("manifest " + where + ": file " + f2.path() + " lies under the symlink " +
                                  f2.path().substr(0, q));
      }
    }
  }
  for (const auto& f2 : m.files()) {
    if (f2.dir_index() >= static_cast<uint32_t>(m.data_dirs_size())) {
      return Status::Corruption("manifest " + where + ": file " + f2.path() +
                                ": bad data dir index");
    }
    // A restore must never write outside its target: no absolute paths, no ".." parts.
    bool bad = f2.path().empty() || f2.path()[0] == '/';
    for (size_t p = 0; !bad;) {
      size_t q = f2.path().find('/', p);
      std::string part = f2.path().substr(p, q == std::string::npos ? std::string::npos : q - p);
      if (part == ".." || part.empty()) bad = true;
      if (q == std::string::npos) break;
      p = q + 1;
    }
    if (bad) return Status::Corruption("manifest " + where + ": unsafe path \"" + f2.path() + "\"");
    if (f2.type() == pb::FileEntry::REGULAR) {
      RS_RETURN_IF_ERROR(check_blocks(f2.blocks(), f2.size(), "file " + f2.path()));
    }
  }
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

}  // namespace raftstore::backup
