// Local directory store: every object is written with raftstore::WriteFileStaged (a temp file
// beside its final name, synced, renamed or, for if_none_match, linked into place, the directory
// synced); List skips the temp names (".tmp-") a crash may leave.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>

#include "raftstore/backup/object_store.h"
#include "raftstore/common/file_util.h"

namespace raftstore::backup {
namespace {

using raftstore::Result;
using raftstore::Status;
namespace fs = std::filesystem;

using raftstore::ErrnoText;
using raftstore::SyncDir;

// Every temp name of raftstore::TempNameBeside contains ".tmp-".
bool IsTempName(const std::string& name) { return name.find(".tmp-") != std::string::npos; }

class LocalStore : public ObjectStore {
 public:
  explicit LocalStore(std::string root) : root_(std::move(root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  }

  std::string Describe() const override { return "directory " + root_; }

  Status Put(const std::string& key, std::string_view data, const PutOptions& options) override {
    std::string path = PathOf(key);
    std::string dir = fs::path(path).parent_path().string();
    RS_RETURN_IF_ERROR(EnsureDir(dir));
    raftstore::StageOptions stage;
    stage.if_absent = options.if_none_match;
    stage.create_hint = "check that the backup location is writable";
    RS_RETURN_IF_ERROR(raftstore::WriteFileStaged(path, data, stage));
    counters_.puts++;
    counters_.put_bytes += data.size();
    return Status::OK();
  }

  Result<std::string> Get(const std::string& key) override {
    std::string path = PathOf(key);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      if (e == ENOENT) return Status::NotFound(path + " does not exist");
      return Status::IOError("open " + path + ": " + ErrnoText(e));
    }
    struct stat st{};
    ::fstat(fd, &st);
    std::string out;
    out.resize(static_cast<size_t>(st.st_size));
    size_t off = 0;
    for (;;) {
      if (off == out.size()) out.resize(out.size() + 65536);
      ssize_t n = ::read(fd, out.data() + off, out.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        ::close(fd);
        return Status::IOError("read " + path + ": " + ErrnoText(e));
      }
      if (n == 0) break;
      off += static_cast<size_t>(n);
    }
    ::close(fd);
    out.resize(off);
    counters_.gets++;
    return out;
  }

  Result<std::optional<uint64_t>> Head(const std::string& key) override {
    std::string path = PathOf(key);
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) return std::optional<uint64_t>();
      return Status::IOError("stat " + path + ": " + ErrnoText(errno));
    }
    return std::optional<uint64_t>(static_cast<uint64_t>(st.st_size));
  }

  Result<std::vector<ObjectInfo>> List(const std::string& prefix) override {
    counters_.lists++;
    std::vector<ObjectInfo> out;
    // Walk only below the directory part of the prefix.
    std::string dir_part;
    size_t slash = prefix.rfind('/');
    if (slash != std::string::npos) dir_part = prefix.substr(0, slash);
    std::string start = dir_part.empty() ? root_ : root_ + "/" + dir_part;
    std::error_code ec;
    if (!fs::exists(start, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(start, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string rel = it->path().lexically_relative(root_).generic_string();
      if (ec) break;
      if (rel.compare(0, prefix.size(), prefix) != 0) continue;
      if (IsTempName(it->path().filename().string())) continue;
      out.push_back({rel, static_cast<uint64_t>(it->file_size(ec))});
    }
    if (ec) return Status::IOError("list " + start + ": " + ec.message());
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(const std::string& key) override {
    std::string path = PathOf(key);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::IOError("delete " + path + ": " + ErrnoText(errno));
    }
    counters_.deletes++;
    return SyncDir(fs::path(path).parent_path().string());
  }

 private:
  std::string PathOf(const std::string& key) const { return root_ + "/" + key; }

  Status EnsureDir(const std::string& dir) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (made_dirs_.count(dir)) return Status::OK();
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IOError("create directory " + dir + ": " + ec.message());
    std::lock_guard<std::mutex> g(mu_);
    made_dirs_.insert(dir);
    return Status::OK();
  }

  std::string root_;
  std::mutex mu_;
  std::set<std::string> made_dirs_;
};

}  // namespace

std::unique_ptr<ObjectStore> NewLocalStore(const std::string& root) {
  return std::make_unique<LocalStore>(root);
}

std::unique_ptr<ObjectStore> NewS3Store(const std::string& bucket, const std::string& prefix,
                                        const S3Settings& settings, raftstore::Status* status);

raftstore::Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& location,
                                                                const S3Settings& s3,
                                                                bool create_dir) {
  if (location.empty()) return Status::InvalidArgument("empty backup location");
  if (location.rfind("s3://", 0) == 0) {
    std::string rest = location.substr(5);
    size_t slash = rest.find('/');
    std::string bucket = rest.substr(0, slash);
    std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (bucket.empty()) {
      return Status::InvalidArgument("location " + location +
                                     ": no bucket; use s3://BUCKET[/PREFIX]");
    }
    Status st;
    auto store = NewS3Store(bucket, prefix, s3, &st);
    if (!st.ok()) return st.WithContext("location " + location);
    return store;
  }
  if (location.find("://") != std::string::npos) {
    return Status::InvalidArgument("location " + location +
                                   ": unknown scheme; use a directory path or s3://bucket/prefix");
  }
  std::error_code ec;
  fs::path abs = fs::absolute(location, ec);
  if (create_dir) {
    fs::create_directories(abs, ec);
    if (ec) return Status::IOError("create backup directory " + abs.string() + ": " + ec.message());
  } else if (!fs::is_directory(abs, ec)) {
    return Status::NotFound("backup location " + abs.string() +
                            " is not a directory: check the path");
  }
  return NewLocalStore(abs.lexically_normal().string());
}

}  // namespace raftstore::backup
