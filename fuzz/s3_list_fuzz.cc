// Target of the S3 XML answers' parser (raftstore/backup/s3_util.h): a ListObjectsV2 page and
// the field lookup used on error bodies, on arbitrary bytes as a server (or something posing as
// one) could send them.
//
// Input: byte 0 picks the field XmlField looks up (Code, Message, Key, Size, UploadId); the rest
// is the body.
// Properties: no crash or sanitizer report (tinyxml2 itself is Debian's build: not
// instrumented for coverage, but its memory accesses are seen by ASan through our calls);
// a refused page is Corruption; an accepted page's objects all have a key and the size the
// <Size> element holds as a decimal number (a page S3 would never send is refused, not read
// as key "" or size 0).
#include <cerrno>
#include <cstdlib>
#include <string>

#include <tinyxml2.h>

#include "fuzz/fuzz_check.h"
#include "raftstore/backup/s3_util.h"

using namespace raftstore::backup;

namespace {

// The text of every <Contents>'s <Size> of a well-formed <ListBucketResult>, in order.
std::vector<std::string> SizeTexts(const std::string& xml) {
  tinyxml2::XMLDocument doc;
  doc.Parse(xml.data(), xml.size());
  std::vector<std::string> out;
  for (const auto* c = doc.RootElement()->FirstChildElement("Contents"); c != nullptr;
       c = c->NextSiblingElement("Contents")) {
    const auto* s = c->FirstChildElement("Size");
    out.push_back(s == nullptr || s->GetText() == nullptr ? "" : s->GetText());
  }
  return out;
}

bool PlainDecimal(const std::string& s, uint64_t* value) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  errno = 0;
  *value = std::strtoull(s.c_str(), nullptr, 10);
  return errno == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kFields[] = {"Code", "Message", "Key", "Size", "UploadId"};
  const std::string xml(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)XmlField(xml, kFields[data[0] % 5]);

  ListPage page;
  page.objects.push_back({"from an earlier page", 7});  // ParseListPage appends
  raftstore::Status st = ParseListPage(xml, &page);
  if (!st.ok()) {
    FUZZ_CHECK(st.code() == raftstore::Status::Code::kCorruption, "not Corruption: " + st.message());
    FUZZ_CHECK(page.objects.size() == 1 && page.objects[0].key == "from an earlier page", "an earlier page's objects");
    return 0;
  }
  FUZZ_CHECK(!page.objects.empty() && page.objects[0].size == 7, "an earlier page's objects were lost");
  const std::vector<std::string> sizes = SizeTexts(xml);
  FUZZ_CHECK(sizes.size() + 1 == page.objects.size(), "one object per <Contents>");
  for (size_t i = 0; i < sizes.size(); ++i) {
    const auto& o = page.objects[i + 1];
    FUZZ_CHECK(!o.key.empty(), "an accepted page has an object without a key");
    uint64_t n = 0;
    FUZZ_CHECK(PlainDecimal(sizes[i], &n), "an accepted page has <Size>" + sizes[i] + "</Size> for " + o.key);
    FUZZ_CHECK(o.size == n, "size of " + o.key);
  }
  return 0;
}
