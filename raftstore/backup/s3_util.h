// S3's XML answers (ListObjectsV2 pages, error bodies), parsed with tinyxml2.
//
// Contract: text is returned as UTF-8 with entities and character references decoded (including
// code points >= U+10000, e.g. "&#x1F600;" -> 4 bytes), exactly as the object key was written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore::backup {

// Text of the first <name> element anywhere in the document (depth first); "" when absent,
// empty, or when `xml` is not well-formed XML (e.g. the empty body of a HEAD).
std::string XmlField(const std::string& xml, const std::string& name);

struct ListPage {
  struct Object {
    std::string key;
    uint64_t size = 0;
  };
  std::vector<Object> objects;
  bool truncated = false;
  std::string next_token;
};

// Appends the page's objects to page->objects and sets truncated/next_token. Corruption when
// the body is not a well-formed <ListBucketResult> document.
raftstore::Status ParseListPage(const std::string& xml, ListPage* page);

}  // namespace raftstore::backup
