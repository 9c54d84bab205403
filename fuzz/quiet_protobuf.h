// For the targets that parse protobuf from fuzz bytes: protobuf logs every string field that is
// not UTF-8, which would bury the fuzzer's own output. Call at the top of LLVMFuzzerTestOneInput.
#pragma once

#include <google/protobuf/stubs/logging.h>

inline void QuietProtobufLogs() {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
}
