// gen_keys: writes a V004 export of N keys to stdout, for benchmarks and large-stream tests.
//   gen_keys [--keys N] [--value-size B] [--ttl-percent P] [--no-footer]
// Keys look like databend's (tenants, databases, tables, cluster nodes); P% of them expire
// (with matching expire-index records). Output is in export order, so importing it and
// exporting again gives the same bytes.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "raftstore/export_format/export_chunk_writer.h"
#include "raftstore/export_format/line_codec.h"

using namespace raftstore;

namespace {

struct Args {
  uint64_t keys = 1'000'000;
  size_t value_size = 100;
  unsigned ttl_percent = 5;
  bool footer = true;
};

bool ParseArgs(int argc, char** argv, Args* a) {
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (f == "--no-footer") a->footer = false;
    else if (f == "--keys" && (v = next())) a->keys = std::stoull(v);
    else if (f == "--value-size" && (v = next())) a->value_size = std::stoull(v);
    else if (f == "--ttl-percent" && (v = next())) a->ttl_percent = static_cast<unsigned>(std::stoul(v));
    else return false;
  }
  return true;
}

std::string KeyFor(uint64_t i) {
  char buf[160];
  uint64_t tenant = i % 97, db = (i / 97) % 31;
  switch (i % 4) {
    case 0: snprintf(buf, sizeof buf, "__fd_table_by_id/%llu", (unsigned long long)i); break;
    case 1: snprintf(buf, sizeof buf, "__fd_database/tenant_%llu/db_%llu/t_%llu", (unsigned long long)tenant,
                     (unsigned long long)db, (unsigned long long)i); break;
    case 2: snprintf(buf, sizeof buf, "__fd_table_id_to_name/%llu", (unsigned long long)i); break;
    default: snprintf(buf, sizeof buf, "__fd_clusters/tenant_%llu/default/databend_query/node-%016llx",
                      (unsigned long long)tenant, (unsigned long long)(i * 0x9e3779b97f4a7c15ULL)); break;
  }
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    fprintf(stderr, "usage: gen_keys [--keys N] [--value-size B] [--ttl-percent P] [--no-footer]\n");
    return 2;
  }
  std::ios::sync_with_stdio(false);
  ExportChunkWriter writer({.footer = args.footer}, [](std::string& chunk) -> Status {
    std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    return std::cout ? Status::OK() : Status::IOError("write to stdout failed");
  });
  auto emit = [&](const Record& r) {
    if (Status st = writer.Add(r); !st.ok()) {
      fprintf(stderr, "gen_keys: %s\n", st.message().c_str());
      std::exit(1);
    }
  };

  // Each key i gets seq i+1; keys are sorted so the stream is in export order.
  std::vector<std::pair<std::string, uint64_t>> keys;
  keys.reserve(args.keys);
  for (uint64_t i = 0; i < args.keys; ++i) keys.emplace_back(KeyFor(i), i + 1);
  std::sort(keys.begin(), keys.end());

  const uint64_t base_ms = 1'900'000'000'000ULL;  // far in the future: nothing has expired
  auto expires = [&](uint64_t seq) { return seq % 100 < args.ttl_percent; };
  LogId applied{LeaderId{3, 1}, 1000};
  emit(MakeHeader());
  emit(Record{kTreeRaftLog, NodeIdRec{1}});
  emit(Record{kTreeRaftLog, VoteRec{Vote{LeaderId{3, 1}, true}}});
  emit(Record{kTreeRaftLog, CommittedRec{applied}});
  emit(Record{kTreeRaftLog, PurgedRec{applied}});
  emit(Record{kTreeStateMachine, SequenceRec{"generic-kv", args.keys}});
  emit(Record{kTreeStateMachine, LastAppliedRec{applied}});
  Membership m{{{1, 2, 3}}, {1, 2, 3}};
  emit(Record{kTreeStateMachine, LastMembershipRec{StoredMembership{LogId{LeaderId{1, 1}, 3}, m}}});
  for (uint64_t id = 1; id <= 3; ++id) {
    Node n{std::to_string(id), Endpoint{"127.0.0.1", 28000 + id}, "127.0.0.1:" + std::to_string(9190 + id)};
    emit(Record{kTreeStateMachine, NodeRec{id, n}});
  }
  // Expire index ascends by (time_ms, seq): time grows with seq here.
  for (uint64_t seq = 1; seq <= args.keys; ++seq) {
    if (!expires(seq)) continue;
    emit(Record{kTreeStateMachine, ExpireRec{ExpireKey{base_ms + seq * 1000, seq}, ExpireValue{1, KeyFor(seq - 1)}}});
  }
  std::mt19937_64 rng(42);
  std::string value(args.value_size, '\0');
  for (const auto& [key, seq] : keys) {
    for (char& c : value) c = static_cast<char>(rng());
    SeqV v{seq, KvMeta{}, value};
    if (expires(seq)) v.meta->expire_at = (base_ms + seq * 1000) / 1000;
    emit(Record{kTreeStateMachine, KvRec{key, std::move(v)}});
  }
  if (Status st = writer.Finish(); !st.ok()) {
    fprintf(stderr, "gen_keys: %s\n", st.message().c_str());
    return 1;
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}
