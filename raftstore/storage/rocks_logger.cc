#include "raftstore/storage/rocks_logger.h"

#include <cstdarg>
#include <cstdio>
#include <string_view>

#include <spdlog/spdlog.h>

namespace raftstore::storage_internal {

namespace {

class SpdlogRocksLogger : public rocksdb::Logger {
 public:
  SpdlogRocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Write(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    Write(level, format, ap);
  }

 private:
  static void Write(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
    // The errors that matter reach us as Status values too; RocksDB's WARN lines are mostly
    // notes (e.g. "SST file opened without unique ID" after every bulk import).
    const spdlog::level::level_enum to = level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::warn
                                                                                     : spdlog::level::debug;
    if (!spdlog::should_log(to)) return;
    char buf[1024];
    va_list copy;
    va_copy(copy, ap);
    std::vsnprintf(buf, sizeof buf, format, copy);
    va_end(copy);
    std::string_view text(buf);
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    spdlog::log(to, "rocksdb: {}", text);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewSpdlogRocksLogger() { return std::make_shared<SpdlogRocksLogger>(); }

}  // namespace raftstore::storage_internal
