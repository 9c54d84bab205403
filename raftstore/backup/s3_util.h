// Small parsers for S3's XML answers (ListObjectsV2 pages, error bodies).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore::backup {

// Text of the first <name>...</name> element, entities decoded; "" when absent.
std::string XmlField(const std::string& xml, const std::string& name);
std::string XmlDecode(const std::string& text);

struct ListPage {
  struct Object {
    std::string key;
    uint64_t size = 0;
  };
  std::vector<Object> objects;
  bool truncated = false;
  std::string next_token;
};

raftstore::Status ParseListPage(const std::string& xml, ListPage* page);

}  // namespace raftstore::backup
