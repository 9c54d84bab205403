#include "raftstore/backup/s3_util.h"

#include <tinyxml2.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace raftstore::backup {

using raftstore::Status;

namespace {

const tinyxml2::XMLElement* FindFirst(const tinyxml2::XMLElement* e, const char* name) {
  for (; e != nullptr; e = e->NextSiblingElement()) {
    if (std::strcmp(e->Name(), name) == 0) return e;
    if (const auto* inner = FindFirst(e->FirstChildElement(), name)) return inner;
  }
  return nullptr;
}

std::string TextOf(const tinyxml2::XMLElement* e) {
  const char* t = e == nullptr ? nullptr : e->GetText();
  return t == nullptr ? std::string() : std::string(t);
}

std::string ChildText(const tinyxml2::XMLElement* parent, const char* name) {
  return TextOf(parent->FirstChildElement(name));
}

}  // namespace

std::string XmlField(const std::string& xml, const std::string& name) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) return "";
  return TextOf(FindFirst(doc.FirstChildElement(), name.c_str()));
}

Status ParseListPage(const std::string& xml, ListPage* page) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    return Status::Corruption(std::string("not well-formed XML (") + doc.ErrorStr() +
                              "): " + xml.substr(0, 200));
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::strcmp(root->Name(), "ListBucketResult") != 0) {
    return Status::Corruption("not a ListBucketResult: " + xml.substr(0, 200));
  }
  // Every object of the page or none: a refused page adds nothing to the earlier pages' objects.
  std::vector<ListPage::Object> objects;
  for (const auto* c = root->FirstChildElement("Contents"); c != nullptr;
       c = c->NextSiblingElement("Contents")) {
    ListPage::Object o;
    o.key = ChildText(c, "Key");
    const std::string size = ChildText(c, "Size");
    errno = 0;
    o.size = std::strtoull(size.c_str(), nullptr, 10);
    if (o.key.empty() || size.empty() || size.size() > 20 || size.find_first_not_of("0123456789") != std::string::npos ||
        errno == ERANGE) {
      return Status::Corruption("an object without a key or a decimal size (key \"" + o.key + "\", size \"" + size +
                                "\"): " + xml.substr(0, 200));
    }
    objects.push_back(std::move(o));
  }
  for (auto& o : objects) page->objects.push_back(std::move(o));
  page->truncated = ChildText(root, "IsTruncated") == "true";
  page->next_token = ChildText(root, "NextContinuationToken");
  return Status::OK();
}

}  // namespace raftstore::backup
