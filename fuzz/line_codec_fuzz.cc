// Differential target of the V004 line codec: the DOM-free fast path (fast_line_codec.h)
// against the DOM decoder and encoder (line_codec.h), on one line = the whole input.
//
// Properties (fast_line_codec.h's contract, as tests/raftstore/export_format/fast_line_codec_test.cc
// checks it on fixtures and mutations):
//   - when TryDecodeFastLine takes a line, the DOM decoder accepts it and gives the same Record;
//   - DecodeLine (fast, else DOM) gives the DOM's value, or the DOM's error (code and message);
//   - for a decoded record, when TryEncodeFastLine writes a line it is the DOM encoder's line;
//   - the DOM's line of a decoded record decodes back to the same record (a V002/V003 line
//     becomes its V004 form; "Obsolete" records have no V004 form and are left out).
#include <string>
#include <string_view>
#include <variant>

#include "fuzz/fuzz_check.h"
#include "raftstore/export_format/fast_line_codec.h"
#include "raftstore/export_format/line_codec.h"

using namespace raftstore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const std::string text(line);

  Record fast;
  const bool fast_took = TryDecodeFastLine(line, &fast);
  Result<Record> dom = DecodeLineWithDom(line);
  if (fast_took) {
    FUZZ_CHECK(dom.ok(), "the fast path accepted a line the DOM refuses (" + dom.status().message() + "): " + text);
    FUZZ_CHECK(fast == *dom, "the two decoders differ on: " + text);
  }
  Result<Record> both = DecodeLine(line);
  FUZZ_CHECK(both.ok() == dom.ok(), "DecodeLine and the DOM disagree on acceptance: " + text);
  if (!dom.ok()) {
    FUZZ_CHECK(both.status().code() == dom.status().code() && both.status().message() == dom.status().message(),
               "DecodeLine's error is not the DOM's: " + both.status().message() + " vs " + dom.status().message());
    return 0;
  }
  FUZZ_CHECK(*both == *dom, "DecodeLine's value is not the DOM's: " + text);

  std::string dom_line;
  try {
    dom_line = EncodeLineWithDom(*dom);
  } catch (const std::exception& e) {
    // The DOM encoder refuses what it cannot print (strict UTF-8); the fast one must refuse too.
    std::string fast_line;
    FUZZ_CHECK(!TryEncodeFastLine(*dom, &fast_line),
               std::string("the fast encoder wrote a record the DOM encoder refuses (") + e.what() + "): " + text);
    return 0;
  }
  std::string fast_line;
  if (TryEncodeFastLine(*dom, &fast_line)) {
    FUZZ_CHECK(fast_line == dom_line, "the two encoders differ: " + fast_line + " vs " + dom_line);
  }
  FUZZ_CHECK(EncodeLine(*dom) == dom_line, "EncodeLine differs from the DOM encoder on: " + text);
  if (!std::holds_alternative<ObsoleteRec>(dom->body)) {
    Result<Record> again = DecodeLine(dom_line);
    FUZZ_CHECK(again.ok(), "the encoded line does not decode (" + again.status().message() + "): " + dom_line);
    FUZZ_CHECK(*again == *dom, "decode(encode(r)) != r for: " + text + " -> " + dom_line);
  }
  return 0;
}
