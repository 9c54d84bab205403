// A DOM-free fast path of the V004 line codec for the two line kinds that make up almost all
// of a large export: GenericKV and Expire of tree state_machine/0, in the compact form that
// EncodeLine() and databend-metactl write:
//   ["state_machine/0",{"GenericKV":{"key":K,"value":{"seq":N,"meta":M,"data":[b,...]}}}]
//   ["state_machine/0",{"Expire":{"key":{"time_ms":T,"seq":S},"value":{"seq":S,"key":K}}}]
// with M one of null, {}, {"expire_at":N}, {"proposed_at_ms":N}, {"expire_at":N,"proposed_at_ms":N}.
//
// Why a fast path and not a second decoder: nlohmann's DOM (one heap node per byte of a value)
// is most of the cost of an import and of an export. The fast path is only ever an
// optimisation, never a second opinion:
//
// Contract (checked by tests/raftstore/export_format/fast_line_codec_test.cc, which runs both
// paths on every fixture line and on generated and mutated lines):
//   - TryDecodeFastLine(line, &rec) returns true only when the DOM decoder would accept `line`
//     and give the same Record. For anything else (another kind, another field order,
//     whitespace, an escape in a string, a number that is not a plain unsigned integer, an
//     error of any kind) it returns false and leaves the decision, value or error message, to
//     the DOM decoder; *out is then unspecified. It reuses the strings of *out when *out already
//     holds a record of the line's kind. So it never reports an error itself: every message a user sees is the
//     DOM decoder's, with its field names.
//   - TryEncodeFastLine(rec, &line) returns true only when it wrote exactly what the DOM
//     encoder writes for `rec` (same bytes); false (and *line unspecified) for any record it
//     does not handle, e.g. a string that needs a JSON escape.
// Both are used by DecodeLine()/EncodeLine() (line_codec.h) before they fall back to the DOM.
#pragma once

#include <string>
#include <string_view>

#include "raftstore/export_format/record.h"

namespace raftstore {

bool TryDecodeFastLine(std::string_view line, Record* out);

bool TryEncodeFastLine(const Record& record, std::string* line);

// The same, appended to *chunk; false leaves *chunk as it was.
bool TryAppendFastLine(const Record& record, std::string* chunk);

}  // namespace raftstore
