#include "metactl/client/write_path_status.h"

#include <cmath>
#include <cstdio>

namespace metactl::client {
namespace {

double Avg(uint64_t total, uint64_t count) {
  return count == 0 ? 0.0 : std::round(100.0 * static_cast<double>(total) / static_cast<double>(count)) / 100.0;
}

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

void AddWritePathJson(const metasrv::StatusReply& s, Json* j) {
  Json& o = *j;
  o["proposals"] = s.proposals();
  o["ready_batches"] = s.ready_batches();
  o["persist_batches"] = s.persist_batches();
  o["entries_persisted"] = s.entries_persisted();
  o["entries_per_batch"] = Avg(s.entries_persisted(), s.persist_batches());
  o["fsyncs"] = s.fsyncs();
  o["apply_batches"] = s.apply_batches();
  o["entries_applied"] = s.entries_applied();
  o["apply_us"] = s.apply_us();
  o["apply_us_avg"] = Avg(s.apply_us(), s.apply_batches());
}

void PrintWritePath(const metasrv::StatusReply& s, std::ostream& out) {
  out << "write_path:     " << s.proposals() << " proposals, " << s.ready_batches() << " readies, "
      << s.persist_batches() << " persists (" << Fixed2(Avg(s.entries_persisted(), s.persist_batches()))
      << " entries each), " << s.fsyncs() << " fsyncs\n"
      << "apply:          " << s.apply_batches() << " batches, " << s.entries_applied() << " entries, "
      << Fixed2(Avg(s.apply_us(), s.apply_batches())) << " us per batch\n";
}

}  // namespace metactl::client
