// The V004 line codec: one JSON array `[tree, entry]` per line.
//
// EncodeLine() prints compact JSON with fields in DESIGN.md order; for every line L of
// databend's want_exported_v004, EncodeLine(DecodeLine(L)) == L byte for byte.
// DecodeLine() also accepts V002/V003 line kinds and returns their V004 values.
// Errors do not include a line number: the caller prefixes "line N: ".
#pragma once

#include <string>
#include <string_view>

#include "raftstore/export_format/record.h"
#include "raftstore/common/status.h"

namespace raftstore {

// Both directions try the DOM-free fast path first (fast_line_codec.h: GenericKV and Expire
// lines) and use nlohmann's DOM for everything else; the result is the same either way.
Result<Record> DecodeLine(std::string_view line);
// The same into *out, reusing its memory where it can (*out is unspecified after an error).
Status DecodeLine(std::string_view line, Record* out);

// The line without its trailing newline.
std::string EncodeLine(const Record& record);
// The same into *line (its old content replaced, its capacity reused).
void EncodeLine(const Record& record, std::string* line);
// The same appended to *chunk (no newline added).
void AppendLine(const Record& record, std::string* chunk);

// The DOM paths alone, without the fast path: for the differential test only.
Result<Record> DecodeLineWithDom(std::string_view line);
std::string EncodeLineWithDom(const Record& record);

// Convenience constructors for the lines an exporter writes.
Record MakeHeader();  // version V004

}  // namespace raftstore
