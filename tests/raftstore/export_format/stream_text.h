// Test helper: the text of an export stream made by the line-at-a-time writer
// (ExportStreamWriter::Add), each line followed by '\n', with the footer when `footer`.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/export_stream.h"

namespace testutil {

inline std::string StreamText(const std::vector<raftstore::Record>& records, bool footer = true) {
  raftstore::ExportStreamWriter writer(footer);
  std::string out, line;
  for (const raftstore::Record& r : records) {
    EXPECT_TRUE(writer.Add(r, &line).ok());
    out += line + "\n";
  }
  if (writer.Finish(&line)) out += line + "\n";
  return out;
}

}  // namespace testutil
