// The integrity footer's digest: a changed or a missing line is detected.
#include <gtest/gtest.h>

#include "raftstore/export_format/footer.h"

using namespace raftstore;

TEST(Footer, DetectsChangedAndMissingLines) {
  StreamDigest a, b, c;
  for (auto* d : {&a, &b}) { d->AddLine("one"); d->AddLine("two"); }
  FooterRec f = a.Finish();
  EXPECT_EQ(f.records, 2u);
  EXPECT_TRUE(CheckFooter(f, b).ok());
  c.AddLine("one");
  c.AddLine("twO");
  EXPECT_NE(CheckFooter(f, c).message().find("does not match"), std::string::npos);
  StreamDigest d;
  d.AddLine("one");
  EXPECT_NE(CheckFooter(f, d).message().find("footer says 2 records but 1 precede it"), std::string::npos);
}
