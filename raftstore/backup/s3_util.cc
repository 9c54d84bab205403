#include "raftstore/backup/s3_util.h"

#include <cstdlib>

namespace raftstore::backup {

using raftstore::Status;

std::string XmlDecode(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string::npos) {
      out.push_back('&');
      continue;
    }
    std::string ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (!ent.empty() && ent[0] == '#') {
      long cp = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                    ? std::strtol(ent.c_str() + 2, nullptr, 16)
                    : std::strtol(ent.c_str() + 1, nullptr, 10);
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
    } else {
      out += "&" + ent + ";";
    }
    i = semi;
  }
  return out;
}

namespace {
// Finds <name> or <name attr...> starting at `from`; returns the content span.
bool FindElement(const std::string& xml, const std::string& name, size_t from, size_t* begin,
                 size_t* end, size_t* after) {
  std::string open = "<" + name;
  size_t pos = from;
  for (;;) {
    pos = xml.find(open, pos);
    if (pos == std::string::npos) return false;
    char next = pos + open.size() < xml.size() ? xml[pos + open.size()] : '\0';
    if (next == '>' || next == ' ' || next == '/') break;
    pos += open.size();
  }
  size_t gt = xml.find('>', pos);
  if (gt == std::string::npos) return false;
  if (xml[gt - 1] == '/') {  // <name/>
    *begin = *end = gt + 1;
    *after = gt + 1;
    return true;
  }
  std::string close = "</" + name + ">";
  size_t c = xml.find(close, gt + 1);
  if (c == std::string::npos) return false;
  *begin = gt + 1;
  *end = c;
  *after = c + close.size();
  return true;
}
}  // namespace

std::string XmlField(const std::string& xml, const std::string& name) {
  size_t b, e, a;
  if (!FindElement(xml, name, 0, &b, &e, &a)) return "";
  return XmlDecode(xml.substr(b, e - b));
}

Status ParseListPage(const std::string& xml, ListPage* page) {
  if (xml.find("<ListBucketResult") == std::string::npos) {
    return Status::Corruption("not a ListBucketResult: " + xml.substr(0, 200));
  }
  size_t pos = 0, b, e, a;
  while (FindElement(xml, "Contents", pos, &b, &e, &a)) {
    std::string item = xml.substr(b, e - b);
    ListPage::Object o;
    o.key = XmlField(item, "Key");
    o.size = std::strtoull(XmlField(item, "Size").c_str(), nullptr, 10);
    page->objects.push_back(std::move(o));
    pos = a;
  }
  page->truncated = XmlField(xml, "IsTruncated") == "true";
  page->next_token = XmlField(xml, "NextContinuationToken");
  return Status::OK();
}

}  // namespace raftstore::backup
