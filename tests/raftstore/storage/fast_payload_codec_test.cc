// The differential test of the raft entry payload's fast path (fast_payload_codec.h) against the
// DOM codec (EncodeNormalWithDom/DecodeNormalWithDom, entry_codec.h).
//
// What it holds the fast path to (its header's contract):
//   decode: whenever TryDecodeFastNormal accepts a payload, the DOM decoder accepts it too and
//           gives the same NormalPayload; so DecodeNormal gives the same value or the same error
//           as the DOM alone.
//   encode: whenever TryEncodeFastNormal writes a payload, it is the DOM's text byte for byte.
// And, so that a fast path that declines everything cannot pass: every payload the DOM writes
// for an UpsertKV whose key needs no escape is taken by the fast decoder.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/fast_payload_codec.h"

using namespace raftstore;

namespace {

// Returns whether the fast path took it.
bool CheckDecodeAgrees(const std::string& data) {
  NormalPayload fast;
  if (!TryDecodeFastNormal(data, &fast)) return false;
  Result<NormalPayload> dom = DecodeNormalWithDom(data);
  EXPECT_TRUE(dom.ok()) << "the fast path accepted a payload the DOM refuses (" << dom.status().message()
                        << "):\n" << data;
  if (dom.ok()) {
    EXPECT_EQ(fast, *dom) << "the two decoders differ on:\n" << data;
  }
  return true;
}

// Returns whether the fast path took it.
bool CheckEncodeAgrees(const NormalPayload& p) {
  std::string fast;
  if (!TryEncodeFastNormal(p, &fast)) return false;
  try {
    EXPECT_EQ(fast, EncodeNormalWithDom(p));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the fast path encoded a payload the DOM encoder refuses: " << e.what() << "\n" << fast;
  }
  return true;
}

std::string RandomKey(std::mt19937_64& rng) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "/", "_", "0", " ", "~", "\x7f",                  // plain ASCII, DEL
      "\"", "\\", "\n", "\x01",                                   // need an escape
      "\xc3\xa9", "\xf0\x9f\x98\x80", "\xef\xbf\xbf", "\xe2\x80\xa8", // well-formed UTF-8, U+2028
      "\xc0\x80", "\xed\xa0\x80", "\xc3", "\x80", "\xff"};        // ill-formed
  std::string key = "k/";
  const int n = static_cast<int>(rng() % 10);
  for (int i = 0; i < n; ++i) key += (rng() % 4 != 0) ? kPieces[rng() % 8] : kPieces[rng() % kPieces.size()];
  return key;
}

uint64_t RandomNumber(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: return 0;
    case 1: return UINT64_MAX;
    case 2: return rng() % 10;
    default: return rng();
  }
}

NormalPayload RandomPayload(std::mt19937_64& rng) {
  NormalPayload p;
  p.time_ms = RandomNumber(rng);
  if (rng() % 10 == 0) {  // another command: the DOM's alone
    p.cmd = RemoveNode{RandomNumber(rng)};
    return p;
  }
  UpsertKV u;
  u.key = RandomKey(rng);
  u.seq.kind = static_cast<MatchSeq::Kind>(rng() % 3);
  if (u.seq.kind != MatchSeq::Kind::kAny) u.seq.value = RandomNumber(rng);
  u.value.kind = static_cast<Operation::Kind>(rng() % 3);
  if (u.value.kind == Operation::Kind::kUpdate) {
    const size_t len = rng() % 4 == 0 ? 0 : rng() % 200;
    for (size_t i = 0; i < len; ++i) u.value.data.push_back(static_cast<char>(rng() % 256));
  }
  if (rng() % 3 != 0) {
    MetaSpec m;
    if (rng() % 2) m.expire_at = RandomNumber(rng);
    if (rng() % 2) m.ttl_ms = RandomNumber(rng);
    u.value_meta = m;
  }
  p.cmd = std::move(u);
  return p;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  static const std::string kBytes = "0123456789-.eE\"\\,:{}[] nul\x80\xc3\xed\xff";
  if (s.empty()) return s;
  const size_t at = rng() % s.size();
  const char b = kBytes[rng() % kBytes.size()];
  switch (rng() % 5) {
    case 0: s.erase(at, 1); break;
    case 1: s.insert(at, 1, b); break;
    case 2: s[at] = b; break;
    case 3: s.resize(at); break;
    default: s.insert(at, s.substr(at, rng() % 16)); break;
  }
  return s;
}

}  // namespace

TEST(FastPayloadCodec, AgreesWithTheDomOnGeneratedAndMutatedPayloads) {
  std::mt19937_64 rng(20261208);
  int encoded_fast = 0, decoded_fast = 0, mutated_fast = 0;
  for (int i = 0; i < 20000; ++i) {
    const NormalPayload p = RandomPayload(rng);
    encoded_fast += CheckEncodeAgrees(p);
    std::string data;
    try {
      data = EncodeNormalWithDom(p);
    } catch (const std::exception&) {
      std::string fast;  // ill-formed UTF-8: the DOM refuses it, so the fast path must decline
      EXPECT_FALSE(TryEncodeFastNormal(p, &fast)) << fast;
      // And its text, written by hand with the raw key, must be refused by both decoders.
      const std::string raw = R"({"time_ms":1,"cmd":{"UpsertKV":{"key":")" + std::get<UpsertKV>(p.cmd).key +
                              R"(","seq":"Any","value":"Delete","value_meta":null}}})";
      NormalPayload got;
      EXPECT_FALSE(TryDecodeFastNormal(raw, &got)) << raw;
      EXPECT_FALSE(DecodeNormalWithDom(raw).ok()) << raw;
      continue;
    }
    const bool taken = CheckDecodeAgrees(data);
    decoded_fast += taken;
    std::string fast;
    if (TryEncodeFastNormal(p, &fast)) {
      EXPECT_TRUE(taken) << "the fast decoder declined a canonical payload:\n" << data;
    }
    // What the node reads back is what it wrote, on either path.
    Result<NormalPayload> back = DecodeNormal(EncodeNormal(p));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, p);
    for (int m = 0; m < 8; ++m) mutated_fast += CheckDecodeAgrees(Mutate(data, rng));
  }
  EXPECT_GT(encoded_fast, 5000);
  EXPECT_GT(decoded_fast, 5000);
  EXPECT_GT(mutated_fast, 1000);
}

// Valid payloads the DOM reads that are not the compact form: the fast path leaves them to the
// DOM, and DecodeNormal still gives the DOM's value or error.
TEST(FastPayloadCodec, LeavesOtherFormsToTheDom) {
  const std::string tail = R"("cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"Delete","value_meta":null}}})";
  const std::vector<std::string> valid = {
      R"({"txid":null,"time_ms":5,)" + tail,                       // databend's own entries
      R"({ "time_ms":5,)" + tail,                                  // whitespace
      R"({"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"Delete","value_meta":{"expire_at":1,"ttl":null}}}})",
      R"({"time_ms":5,"cmd":{"UpsertKV":{"seq":"Any","key":"k","value":"Delete","value_meta":null}}})",  // field order
      R"({"time_ms":5,"cmd":{"UpsertKV":{"key":"\u006b","seq":"Any","value":"Delete","value_meta":null}}})",  // an escape
  };
  for (const std::string& d : valid) {
    NormalPayload fast;
    EXPECT_FALSE(TryDecodeFastNormal(d, &fast)) << d;
    Result<NormalPayload> got = DecodeNormal(d);
    ASSERT_TRUE(got.ok()) << d << ": " << got.status().message();
    EXPECT_EQ(std::get<UpsertKV>(got->cmd).key, "k");
  }
  const std::vector<std::string> invalid = {
      R"({"time_ms":05,)" + tail,
      R"({"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":{"Exact":-1},"value":"Delete","value_meta":null}}})",
      R"({"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":{"Update":[256]},"value_meta":null}}})",
      R"({"time_ms":5,"cmd":{"UpsertKV":{"key":"k","seq":"Any","value":"Delete"}}})",
  };
  for (const std::string& d : invalid) {
    NormalPayload fast;
    EXPECT_FALSE(TryDecodeFastNormal(d, &fast)) << d;
    Result<NormalPayload> got = DecodeNormal(d);
    Result<NormalPayload> dom = DecodeNormalWithDom(d);
    ASSERT_FALSE(got.ok()) << d;
    EXPECT_EQ(got.status().message(), dom.status().message());
  }
}
