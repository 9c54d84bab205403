// The differential test of the DOM-free fast path (fast_line_codec.h) against the DOM codec.
//
// What it holds the fast path to (its header's contract):
//   decode: whenever TryDecodeFastLine accepts a line, the DOM decoder accepts it too and gives
//           the same Record; so DecodeLine (fast, else DOM) gives the same value or the same error
//           as the DOM alone, on every line.
//   encode: whenever TryEncodeFastLine writes a line, it is the DOM encoder's line byte for byte.
// And, so that the test cannot pass with a fast path that declines everything: every canonical
// GenericKV/Expire line whose strings need no escape is taken by the fast path.
//
// Lines: every fixture line (testdata/, and databend's when ../shared is present), generated
// records (keys in ASCII, UTF-8, with escapes and with ill-formed UTF-8; every meta form; empty,
// short and long values; extreme numbers) and random mutations of all of those.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/fast_line_codec.h"
#include "raftstore/export_format/line_codec.h"

using namespace raftstore;

namespace {

std::vector<std::string> FixtureLines() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(TESTDATA_DIR)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path().string());
  }
  for (const char* f : {"/compat/databend/meta_v004.txt", "/compat/databend/want_exported_v004"}) {
    std::string p = std::string(SHARED_DIR) + f;
    if (std::filesystem::exists(p)) files.push_back(p);
  }
  std::vector<std::string> lines;
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  return lines;
}

// Both decoders on one line. Returns whether the fast path took it.
bool CheckDecodeAgrees(const std::string& line) {
  Record fast;
  if (!TryDecodeFastLine(line, &fast)) return false;
  Result<Record> dom = DecodeLineWithDom(line);
  EXPECT_TRUE(dom.ok()) << "the fast path accepted a line the DOM refuses (" << dom.status().message()
                        << "):\n" << line;
  if (dom.ok()) {
    EXPECT_EQ(fast, *dom) << "the two decoders differ on:\n" << line;
  }
  return true;
}

// Both encoders on one record. Returns whether the fast path took it.
bool CheckEncodeAgrees(const Record& rec) {
  std::string fast;
  if (!TryEncodeFastLine(rec, &fast)) return false;
  std::string dom;
  try {
    dom = EncodeLineWithDom(rec);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "the fast path encoded a record the DOM encoder refuses: " << e.what() << "\n" << fast;
    return true;
  }
  EXPECT_EQ(fast, dom);
  return true;
}

bool IsFastKind(const Record& rec) {
  return rec.tree == kTreeStateMachine &&
         (std::holds_alternative<KvRec>(rec.body) || std::holds_alternative<ExpireRec>(rec.body));
}

// A line is canonical when the DOM writes it back unchanged; the fast path must take every
// canonical line of its kinds whose strings need no escape (the fast encoder says which).
void CheckTakesCanonical(const std::string& line, const Record& rec) {
  if (!IsFastKind(rec)) return;
  std::string fast;
  if (EncodeLineWithDom(rec) != line || !TryEncodeFastLine(rec, &fast)) return;
  Record got;
  EXPECT_TRUE(TryDecodeFastLine(line, &got)) << "the fast path declined a canonical line:\n" << line;
}

std::string RandomKey(std::mt19937_64& rng) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", "/", "_", "0", "9", " ", "~", "\x7f",       // plain ASCII, DEL
      "\"", "\\", "\n", "\t", "\x01", "\x1f",               // need an escape
      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",       // well-formed UTF-8: é € 😀
      "\xed\x9f\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",   // edges: U+D7FF U+FFFF U+10FFFF
      "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",       // ill-formed: overlong, surrogate, > U+10FFFF
      "\xc3", "\xe2\x82", "\x80", "\xff"};                  // truncated, stray continuation, invalid byte
  std::string key = "__fd/";
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i) {
    // Mostly plain, so most generated lines are valid and exercise the accepting paths.
    key += (rng() % 4 != 0) ? kPieces[rng() % 9] : kPieces[rng() % kPieces.size()];
  }
  return key;
}

uint64_t RandomNumber(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0: return 0;
    case 1: return UINT64_MAX;
    case 2: return rng() % 10;
    case 3: return 1667291025000ULL + rng() % 1000;
    default: return rng();
  }
}

Record RandomRecord(std::mt19937_64& rng) {
  if (rng() % 3 == 0) {
    ExpireRec r;
    r.key = {RandomNumber(rng), RandomNumber(rng)};
    r.value = {RandomNumber(rng), RandomKey(rng)};
    return Record{kTreeStateMachine, r};
  }
  KvRec r;
  r.key = RandomKey(rng);
  r.value.seq = RandomNumber(rng);
  switch (rng() % 5) {
    case 0: break;  // null meta
    case 1: r.value.meta = KvMeta{}; break;
    case 2: r.value.meta = KvMeta{RandomNumber(rng), std::nullopt}; break;
    case 3: r.value.meta = KvMeta{std::nullopt, RandomNumber(rng)}; break;
    default: r.value.meta = KvMeta{RandomNumber(rng), RandomNumber(rng)}; break;
  }
  const size_t len = rng() % 4 == 0 ? 0 : rng() % 300;
  for (size_t i = 0; i < len; ++i) r.value.data.push_back(static_cast<char>(rng() % 256));
  // Now and then another state machine tree, which the fast path leaves to the DOM.
  return Record{rng() % 10 == 0 ? "state_machine/1" : kTreeStateMachine, r};
}

// One random edit: the bytes a JSON scanner is most likely to get wrong.
std::string Mutate(std::string line, std::mt19937_64& rng) {
  static const std::string kBytes = "0123456789-.eE\"\\,:{}[] nul\x80\xc3\xed\xff";
  if (line.empty()) return line;
  const size_t at = rng() % line.size();
  const char b = kBytes[rng() % kBytes.size()];
  switch (rng() % 5) {
    case 0: line.erase(at, 1); break;
    case 1: line.insert(at, 1, b); break;
    case 2: line[at] = b; break;
    case 3: line.resize(at); break;
    default: line.insert(at, line.substr(at, rng() % 16)); break;  // a repeated piece
  }
  return line;
}

}  // namespace

TEST(FastLineCodec, AgreesWithTheDomOnEveryFixtureLine) {
  int taken = 0;
  for (const std::string& line : FixtureLines()) {
    taken += CheckDecodeAgrees(line);
    Result<Record> rec = DecodeLineWithDom(line);
    if (!rec.ok()) continue;
    CheckEncodeAgrees(*rec);
    CheckTakesCanonical(line, *rec);
  }
  // own_v004.jsonl alone holds GenericKV and Expire lines: a fast path that declines
  // everything must not pass.
  EXPECT_GT(taken, 5);
}

TEST(FastLineCodec, AgreesWithTheDomOnGeneratedAndMutatedLines) {
  std::mt19937_64 rng(20261129);
  int encoded_fast = 0, decoded_fast = 0, mutated_fast = 0;
  for (int i = 0; i < 20000; ++i) {
    Record rec = RandomRecord(rng);
    encoded_fast += CheckEncodeAgrees(rec);
    std::string line;
    try {
      line = EncodeLineWithDom(rec);
    } catch (const std::exception&) {
      // Ill-formed UTF-8: the DOM encoder refuses it, so the fast one must decline it too.
      std::string fast;
      EXPECT_FALSE(TryEncodeFastLine(rec, &fast)) << fast;
      continue;
    }
    decoded_fast += CheckDecodeAgrees(line);
    CheckTakesCanonical(line, rec);
    for (int m = 0; m < 8; ++m) mutated_fast += CheckDecodeAgrees(Mutate(line, rng));
  }
  // The generator is built so that all three paths are exercised, the accepting ones too.
  EXPECT_GT(encoded_fast, 5000);
  EXPECT_GT(decoded_fast, 5000);
  EXPECT_GT(mutated_fast, 1000);
}

// Forms that are valid JSON the DOM reads (some with an error from the field decoders), and
// that the fast path must leave to it: the result of DecodeLine is then the DOM's, error
// message included.
TEST(FastLineCodec, LeavesNonCanonicalAndInvalidFormsToTheDom) {
  const std::string head = R"(["state_machine/0",{"GenericKV":{"key":"k","value":{"seq":)";
  const std::vector<std::string> lines = {
      head + R"(01,"meta":null,"data":[]}}}])",                     // leading zero: invalid JSON
      head + R"(1.0,"meta":null,"data":[]}}}])",                    // a fraction
      head + R"(1e2,"meta":null,"data":[]}}}])",                    // an exponent
      head + R"(-0,"meta":null,"data":[]}}}])",                     // -0 (the DOM reads 0)
      head + R"(18446744073709551616,"meta":null,"data":[]}}}])",   // 2^64: out of range
      head + R"(1,"meta":null,"data":[256]}}}])",                   // not a byte
      head + R"(1,"meta":null,"data":[1 ,2]}}}])",                  // whitespace
      head + R"(1,"data":[],"meta":null}}}])",                      // another field order
      head + R"(1,"meta":{"expire_at":null},"data":[]}}}])",        // null expire_at
      head + R"(1,"meta":null,"data":[]}}}] )",                     // trailing space
      head + R"(1,"meta":null,"data":[]}}}]])",                     // trailing garbage
      R"(["state_machine/0",{"GenericKV":{"key":"a\"b","value":{"seq":1,"meta":null,"data":[]}}}])",
      R"(["state_machine/0",{"GenericKV":{"key":")" "\xed\xa0\x80" R"(","value":{"seq":1,"meta":null,"data":[]}}}])",
      R"(["state_machine/0",{"Expire":{"key":{"time_ms":1,"seq":2},"value":{"key":"k"}}}])",  // no seq: 1
  };
  for (const std::string& line : lines) {
    Record fast;
    EXPECT_FALSE(TryDecodeFastLine(line, &fast)) << line;
    Result<Record> dom = DecodeLineWithDom(line), both = DecodeLine(line);
    ASSERT_EQ(dom.ok(), both.ok()) << line;
    if (dom.ok()) EXPECT_EQ(*dom, *both) << line;
    else EXPECT_EQ(dom.status().message(), both.status().message()) << line;
  }
  // The largest 64-bit number is a plain unsigned integer: both read it.
  Record fast;
  const std::string max = head + R"(18446744073709551615,"meta":{"expire_at":0,"proposed_at_ms":1},"data":[0,255]}}}])";
  ASSERT_TRUE(TryDecodeFastLine(max, &fast));
  EXPECT_EQ(std::get<KvRec>(fast.body).value.seq, UINT64_MAX);
  EXPECT_TRUE(CheckDecodeAgrees(max));
}
