// Differential target of the raft entry payload codec: the DOM-free fast path
// (storage/fast_payload_codec.h) against the DOM (EncodeNormalWithDom/DecodeNormalWithDom,
// storage/entry_codec.h), on one payload = the whole input.
//
// Properties (fast_payload_codec.h's contract, as tests/raftstore/storage/fast_payload_codec_test.cc
// checks it on generated payloads and mutations):
//   - when TryDecodeFastNormal takes a payload, the DOM accepts it and gives the same value;
//   - DecodeNormal (fast, else DOM) gives the DOM's value, or the DOM's error (code and message);
//   - for a decoded payload, when TryEncodeFastNormal writes text it is the DOM's text, and
//     EncodeNormal's text decodes back to the same payload.
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/fast_payload_codec.h"

using namespace raftstore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  NormalPayload fast;
  const bool fast_took = TryDecodeFastNormal(text, &fast);
  Result<NormalPayload> dom = DecodeNormalWithDom(text);
  if (fast_took) {
    FUZZ_CHECK(dom.ok(), "the fast path accepted a payload the DOM refuses (" + dom.status().message() + "): " + text);
    FUZZ_CHECK(fast == *dom, "the two decoders differ on: " + text);
  }
  Result<NormalPayload> both = DecodeNormal(text);
  FUZZ_CHECK(both.ok() == dom.ok(), "DecodeNormal and the DOM disagree on acceptance: " + text);
  if (!dom.ok()) {
    FUZZ_CHECK(both.status().code() == dom.status().code() && both.status().message() == dom.status().message(),
               "DecodeNormal's error is not the DOM's: " + both.status().message() + " vs " + dom.status().message());
    return 0;
  }
  FUZZ_CHECK(*both == *dom, "DecodeNormal's value is not the DOM's: " + text);

  std::string dom_text;
  try {
    dom_text = EncodeNormalWithDom(*dom);
  } catch (const std::exception& e) {
    std::string fast_text;  // strict UTF-8: what the DOM cannot print the fast path must refuse
    FUZZ_CHECK(!TryEncodeFastNormal(*dom, &fast_text),
               std::string("the fast encoder wrote a payload the DOM encoder refuses (") + e.what() + "): " + text);
    return 0;
  }
  std::string fast_text;
  if (TryEncodeFastNormal(*dom, &fast_text)) {
    FUZZ_CHECK(fast_text == dom_text, "the two encoders differ: " + fast_text + " vs " + dom_text);
  }
  Result<NormalPayload> again = DecodeNormal(EncodeNormal(*dom));
  FUZZ_CHECK(again.ok() && *again == *dom, "decode(encode(p)) != p for: " + text + " -> " + dom_text);
  return 0;
}
