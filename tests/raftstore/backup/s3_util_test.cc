// S3 XML answers (ListObjectsV2 pages, error bodies).

#include <gtest/gtest.h>

#include "raftstore/backup/s3_util.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;
using raftstore::Status;

TEST(S3Util, ParsesListPageWithEntities) {
  ListPage p;
  ASSERT_TRUE(ParseListPage("<ListBucketResult><IsTruncated>true</IsTruncated>"
                            "<NextContinuationToken>a+b/c=&amp;</NextContinuationToken>"
                            "<Contents><Key>x&amp;y</Key><Size>12</Size></Contents>"
                            "<Contents><Key>z</Key><Size>0</Size></Contents></ListBucketResult>",
                            &p)
                  .ok());
  ASSERT_EQ(p.objects.size(), 2u);
  EXPECT_EQ(p.objects[0].key, "x&y");
  EXPECT_EQ(p.objects[0].size, 12u);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.next_token, "a+b/c=&");
  EXPECT_FALSE(ParseListPage("<Error/>", &p).ok());
}

// Character references above U+FFFF need 4 UTF-8 bytes (the hand-written scanner this replaced
// wrote 3, an invalid sequence); a literal 4-byte character passes through unchanged.
TEST(S3Util, DecodesCodePointsAboveBmp) {
  ListPage p;
  ASSERT_TRUE(ParseListPage("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                            "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                            "<IsTruncated>false</IsTruncated>"
                            "<Contents><Key>data/&#x1F600;.bin</Key><Size>1</Size></Contents>"
                            "<Contents><Key>data/&#128512;&#xE9;</Key><Size>2</Size></Contents>"
                            "<Contents><Key>data/\xF0\x9F\x98\x80 literal</Key><Size>3</Size>"
                            "</Contents></ListBucketResult>",
                            &p)
                  .ok());
  ASSERT_EQ(p.objects.size(), 3u);
  EXPECT_EQ(p.objects[0].key, "data/\xF0\x9F\x98\x80.bin");
  EXPECT_EQ(p.objects[1].key, "data/\xF0\x9F\x98\x80\xC3\xA9");
  EXPECT_EQ(p.objects[2].key, "data/\xF0\x9F\x98\x80 literal");
  EXPECT_EQ(p.objects[2].size, 3u);
  EXPECT_FALSE(p.truncated);
  EXPECT_EQ(p.next_token, "");
}

TEST(S3Util, ErrorBodiesAndBrokenXml) {
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
      "<Message>Please reduce your request rate &amp; retry.</Message></Error>";
  EXPECT_EQ(XmlField(body, "Code"), "SlowDown");
  EXPECT_EQ(XmlField(body, "Message"), "Please reduce your request rate & retry.");
  EXPECT_EQ(XmlField(body, "RequestId"), "");
  EXPECT_EQ(XmlField("", "Code"), "");  // HEAD: no body
  EXPECT_EQ(XmlField("<html>bad gateway", "Code"), "");
  ListPage p;
  Status st = ParseListPage("<ListBucketResult><Contents>", &p);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
}

// A page S3 would never send is refused, not read as size 0 or key "", and adds nothing to the
// objects of earlier pages. Found by fuzz/s3_list_fuzz.cc.
TEST(S3Util, ListPageWithABadObjectIsRefusedWhole) {
  ListPage p;
  ASSERT_TRUE(ParseListPage("<ListBucketResult><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>", &p).ok());
  for (const char* contents : {"<Key>b</Key><Size>12x</Size>", "<Key>b</Key>", "<Size>3</Size>",
                               "<Key>b</Key><Size>-1</Size>", "<Key>b</Key><Size>99999999999999999999</Size>"}) {
    std::string xml = std::string("<ListBucketResult><Contents><Key>ok</Key><Size>2</Size></Contents><Contents>") +
                      contents + "</Contents></ListBucketResult>";
    Status st = ParseListPage(xml, &p);
    EXPECT_EQ(st.code(), Status::Code::kCorruption) << xml;
    EXPECT_NE(st.message().find("an object without a key or a decimal size"), std::string::npos) << st.message();
    ASSERT_EQ(p.objects.size(), 1u) << xml;
  }
}
