// The write path counters of `metactl status` (StatusReply fields 19-26; docs/cluster.md
// "Write path"): the raw counters and the two averages a user reads them for.
#pragma once

#include <ostream>

#include "meta.pb.h"
#include "metactl/client/format.h"

namespace metactl::client {

// Appends, in this order: proposals, ready_batches, persist_batches, entries_persisted,
// entries_per_batch (entries_persisted / persist_batches), fsyncs, apply_batches,
// entries_applied, apply_us, apply_us_avg (apply_us / apply_batches). Averages are 0 when
// nothing was counted yet, rounded to 2 decimals.
void AddWritePathJson(const metasrv::StatusReply& s, Json* j);

// Two `name: value` lines, "write_path:" and "apply:", for the text form.
void PrintWritePath(const metasrv::StatusReply& s, std::ostream& out);

}  // namespace metactl::client
