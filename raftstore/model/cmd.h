// Commands carried by Normal log entries (DESIGN.md "Commands").
//
// JSON is externally tagged, field order as databend prints it. Decoding accepts what older
// versions print (a missing `match_seq`/`overriding`, `expire_at: null`) and encoding prints the
// current V004 form, so decode+encode upgrades old input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "raftstore/model/kv.h"
#include "raftstore/model/node.h"

namespace raftstore {

// Which seq an upsert requires: "Any" | {"Exact":n} | {"GE":n}.
struct MatchSeq {
  enum class Kind { kAny, kExact, kGE };
  Kind kind = Kind::kAny;
  uint64_t value = 0;
  bool Matches(uint64_t current_seq) const;
  bool operator==(const MatchSeq&) const = default;
};

// What an upsert does: {"Update":[bytes]} | "Delete" | "AsIs" (touch meta only).
struct Operation {
  enum class Kind { kUpdate, kDelete, kAsIs };
  Kind kind = Kind::kUpdate;
  std::string data;  // for kUpdate
  bool operator==(const Operation&) const = default;
};

// {"expire_at":n|null,"ttl":{"millis":n}} (ttl printed only when set).
struct MetaSpec {
  std::optional<uint64_t> expire_at;
  std::optional<uint64_t> ttl_ms;
  bool operator==(const MetaSpec&) const = default;
};

// {"key":k,"expected":0..5,"target":{"Seq":n}|{"Value":[bytes]}|{"KeysWithPrefix":n}}
struct TxnCondition {
  enum class Op { kEQ = 0, kGT = 1, kGE = 2, kLT = 3, kLE = 4, kNE = 5 };
  enum class Target { kSeq, kValue, kKeysWithPrefix };
  std::string key;
  Op expected = Op::kEQ;
  Target target = Target::kSeq;
  uint64_t number = 0;  // for kSeq and kKeysWithPrefix
  std::string value;    // for kValue
  bool operator==(const TxnCondition&) const = default;
};

struct TxnGet {
  std::string key;
  bool operator==(const TxnGet&) const = default;
};
struct TxnPut {
  std::string key;
  std::string value;
  bool prev_value = true;
  std::optional<uint64_t> expire_at;
  std::optional<uint64_t> match_seq;
  std::optional<uint64_t> ttl_ms;
  bool operator==(const TxnPut&) const = default;
};
struct TxnDelete {
  std::string key;
  bool prev_value = true;
  std::optional<uint64_t> match_seq;
  bool operator==(const TxnDelete&) const = default;
};
struct TxnDeleteByPrefix {
  std::string prefix;
  bool operator==(const TxnDeleteByPrefix&) const = default;
};
struct TxnFetchIncreaseU64 {
  std::string key;
  std::optional<uint64_t> match_seq;
  int64_t delta = 0;
  bool operator==(const TxnFetchIncreaseU64&) const = default;
};
struct TxnPutSequential {
  std::string prefix;
  std::string sequence_key;
  std::string value;
  std::optional<uint64_t> ttl_ms;
  bool operator==(const TxnPutSequential&) const = default;
};
using TxnRequest = std::variant<TxnGet, TxnPut, TxnDelete, TxnDeleteByPrefix, TxnFetchIncreaseU64,
                                TxnPutSequential>;
// {"request":{"Put":{...}}}
struct TxnOp {
  TxnRequest request;
  bool operator==(const TxnOp&) const = default;
};

struct Transaction {
  std::vector<TxnCondition> condition;
  std::vector<TxnOp> if_then;
  std::vector<TxnOp> else_then;
  bool operator==(const Transaction&) const = default;
};

struct AddNode {
  uint64_t node_id = 0;
  Node node;
  bool overriding = false;
  bool operator==(const AddNode&) const = default;
};
struct RemoveNode {
  uint64_t node_id = 0;
  bool operator==(const RemoveNode&) const = default;
};
struct SetFeature {
  std::string feature;
  bool enable = false;
  bool operator==(const SetFeature&) const = default;
};
struct UpsertKV {
  std::string key;
  MatchSeq seq;
  Operation value;
  std::optional<MetaSpec> value_meta;
  bool operator==(const UpsertKV&) const = default;
};

using Cmd = std::variant<AddNode, RemoveNode, SetFeature, UpsertKV, Transaction>;

Json ToJson(const MatchSeq& v);
Json ToJson(const Operation& v);
Json ToJson(const MetaSpec& v);
Json ToJson(const TxnCondition& v);
Json ToJson(const TxnOp& v);
Json ToJson(const Transaction& v);
Json ToJson(const Cmd& v);
Status FromJson(const Json& j, const std::string& ctx, MatchSeq* out);
Status FromJson(const Json& j, const std::string& ctx, Operation* out);
Status FromJson(const Json& j, const std::string& ctx, MetaSpec* out);
Status FromJson(const Json& j, const std::string& ctx, TxnCondition* out);
Status FromJson(const Json& j, const std::string& ctx, TxnOp* out);
Status FromJson(const Json& j, const std::string& ctx, Transaction* out);
Status FromJson(const Json& j, const std::string& ctx, Cmd* out);

}  // namespace raftstore
