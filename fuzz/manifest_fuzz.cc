// Target of the backup manifest decoder (raftstore/backup/manifest.h DecodeManifest), which
// is all that stands between a manifest object read from a backup location and a restore that
// writes files where the manifest says.
//
// Input: byte 0 even: the rest is a whole manifest object (a ManifestFile: envelope, checksum,
// version); odd: the rest is the serialized Manifest body, wrapped in a valid envelope here so
// that the fuzzer reaches the consistency checks behind the SHA-256 instead of stopping at it.
// Properties of an accepted manifest (what restore.cc relies on):
//   - every file's dir_index names a data dir, and its blocks add up to its size (no wrap);
//   - no restored path (DisplayPath: "<data dir name>/<path>" with several dirs) is absolute or
//     has an empty, "." or ".." part, and no entry lies under a SYMLINK entry of the same dir
//     (restore creates the symlinks first: a file beneath one would be written through it),
//     and no path is listed twice in a dir;
//   - EncodeManifest of it decodes to the same message.
#include <string>

#include <google/protobuf/util/message_differencer.h>

#include "fuzz/fuzz_check.h"
#include "fuzz/quiet_protobuf.h"
#include "raftstore/backup/hash.h"
#include "raftstore/backup/manifest.h"

using namespace raftstore::backup;
using raftstore::Result;
namespace pb = metasrv::backup;

namespace {

// Whether `path` is relative and has no empty, "." or ".." part.
bool SafeRelative(const std::string& path) {
  if (path.empty() || path[0] == '/') return false;
  size_t p = 0;
  while (true) {
    size_t q = path.find('/', p);
    std::string part = path.substr(p, q == std::string::npos ? std::string::npos : q - p);
    if (part.empty() || part == "." || part == "..") return false;
    if (q == std::string::npos) return true;
    p = q + 1;
  }
}

bool BlocksAddUp(const google::protobuf::RepeatedPtrField<pb::BlockRef>& blocks, uint64_t size) {
  unsigned __int128 sum = 0;
  for (const auto& b : blocks) sum += b.size();
  return sum == size;
}

void CheckAccepted(const pb::Manifest& m) {
  if (m.has_metadata()) FUZZ_CHECK(BlocksAddUp(m.metadata().blocks(), m.metadata().size()), "metadata blocks");
  for (const auto& f : m.files()) {
    FUZZ_CHECK(f.dir_index() < static_cast<uint32_t>(m.data_dirs_size()), "dir index " + f.path());
    const std::string shown = DisplayPath(m, f);
    FUZZ_CHECK(SafeRelative(shown), "an accepted manifest restores to an unsafe path \"" + shown + "\"");
    if (f.type() == pb::FileEntry::REGULAR) FUZZ_CHECK(BlocksAddUp(f.blocks(), f.size()), "blocks of " + f.path());
    int same = 0;
    for (const auto& g : m.files()) same += g.dir_index() == f.dir_index() && g.path() == f.path();
    FUZZ_CHECK(same == 1, "an accepted manifest lists \"" + f.path() + "\" twice");
    for (const auto& link : m.files()) {
      if (link.type() != pb::FileEntry::SYMLINK || link.dir_index() != f.dir_index()) continue;
      FUZZ_CHECK(f.path().rfind(link.path() + "/", 0) != 0,
                 "an accepted manifest has \"" + f.path() + "\" under the symlink \"" + link.path() + "\"");
    }
  }
  Result<pb::Manifest> again = DecodeManifest(EncodeManifest(m), "again");
  FUZZ_CHECK(again.ok(), "a re-encoded manifest is refused: " + again.status().message());
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*again, m), "re-encoding changed the manifest");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  QuietProtobufLogs();
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    pb::ManifestFile f;
    f.set_format_version(kManifestFormatVersion);
    Digest d = Sha256Digest(bytes);
    f.set_manifest_sha256(std::string(reinterpret_cast<const char*>(d.data()), d.size()));
    f.set_manifest(bytes);
    bytes.clear();
    f.SerializeToString(&bytes);
  }
  Result<pb::Manifest> m = DecodeManifest(bytes, "fuzz");
  if (!m.ok()) {
    FUZZ_CHECK(m.status().code() == raftstore::Status::Code::kCorruption, "not Corruption: " + m.status().message());
    return 0;
  }
  CheckAccepted(*m);
  return 0;
}
