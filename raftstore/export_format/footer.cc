#include "raftstore/export_format/footer.h"

namespace raftstore {

Status CheckFooter(const FooterRec& footer, StreamDigest& digest) {
  return CheckFooter(footer, digest.Finish());
}

Status CheckFooter(const FooterRec& footer, const FooterRec& actual) {
  if (footer.records != actual.records) {
    return Status::Corruption("footer says " + std::to_string(footer.records) + " records but " +
                              std::to_string(actual.records) +
                              " precede it: the stream was truncated or altered; export it again");
  }
  if (footer.sha256 != actual.sha256) {
    return Status::Corruption("footer checksum " + footer.sha256 + " does not match the content (" +
                              actual.sha256 + "): the stream was altered; export it again");
  }
  return Status::OK();
}

}  // namespace raftstore
