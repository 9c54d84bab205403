// Binary encoding of a SeqV in RocksDB (values of 'K' keys). JSON would triple the size of
// binary data; this keeps a value's bytes as they are:
//   varint64 seq | u8 flags (1: meta present, 2: expire_at, 4: proposed_at_ms)
//   [varint64 expire_at] [varint64 proposed_at_ms] | data bytes to the end
#pragma once

#include <string>
#include <string_view>

#include "raftstore/common/status.h"
#include "raftstore/model/kv.h"

namespace raftstore {

std::string EncodeSeqV(const SeqV& v);
Status DecodeSeqV(std::string_view in, SeqV* out);

}  // namespace raftstore
