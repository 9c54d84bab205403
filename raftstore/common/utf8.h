// UTF-8 well-formedness, the one check used wherever bytes must be valid text: the compact-JSON
// fast paths (model/compact_json.h: a string they may read or write unescaped) and metactl's
// display of values.
#pragma once

#include <cstddef>

namespace raftstore {

// Length (1 to 4) of the well-formed UTF-8 sequence that starts at `p`, or 0 when [p, end)
// (non-empty) does not start with one. Well-formed is Unicode's table 3-7: no overlong form,
// no surrogate (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequence.
size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end);

}  // namespace raftstore
