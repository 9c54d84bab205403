// Strict JSON field access for the typed codec.
//
// Every decoder takes a context string `ctx` naming where the value sits (e.g.
// "raft_log LogEntry: log_id"); every error message starts with it, so a caller that adds
// "line N: " produces messages like `line 17: raft_log LogEntry: missing field "index"`.
// Decoders reject unknown fields: data we do not understand is never dropped silently.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "raftstore/common/status.h"

namespace raftstore {

// Insertion-ordered JSON: encoders emit fields in the order DESIGN.md prescribes.
using Json = nlohmann::ordered_json;

// Fails unless `j` is an object; `what` describes the expected value.
Status ExpectObject(const Json& j, const std::string& ctx);

// Looks up a required field; `*out` points into `obj`.
Status RequireField(const Json& obj, const char* name, const std::string& ctx, const Json** out);

// Looks up an optional field; nullptr when absent.
const Json* OptionalField(const Json& obj, const char* name);

// Fails when `obj` has a field not in `known`.
Status RejectUnknownFields(const Json& obj, std::initializer_list<const char*> known,
                           const std::string& ctx);

// Scalars. `ctx` names the value itself (e.g. "raft_log LogEntry: log_id: index").
Status DecodeU64(const Json& j, const std::string& ctx, uint64_t* out);
Status DecodeI64(const Json& j, const std::string& ctx, int64_t* out);
Status DecodeBool(const Json& j, const std::string& ctx, bool* out);
Status DecodeString(const Json& j, const std::string& ctx, std::string* out);
// A byte string is a JSON array of integers 0..255.
Status DecodeBytes(const Json& j, const std::string& ctx, std::string* out);
Json EncodeBytes(const std::string& bytes);

// Externally tagged enum: an object with exactly one key, or a bare string (unit variant).
// Sets *tag and *body (body is null for a bare string).
Status DecodeTagged(const Json& j, const std::string& ctx, std::string* tag, const Json** body);

// Required field decoded with `decode(value, ctx + ": " + name, out)`.
template <typename T, typename F>
Status DecodeField(const Json& obj, const char* name, const std::string& ctx, T* out, F decode) {
  const Json* v = nullptr;
  RS_RETURN_IF_ERROR(RequireField(obj, name, ctx, &v));
  return decode(*v, ctx + ": " + name, out);
}

// Scalar FromJson/ToJson overloads, so the generic DecodeField below works for them too.
// (Declared before the template: uint64_t has no namespace for ADL to search.)
inline Status FromJson(const Json& j, const std::string& ctx, uint64_t* out) { return DecodeU64(j, ctx, out); }
inline Status FromJson(const Json& j, const std::string& ctx, bool* out) { return DecodeBool(j, ctx, out); }
inline Status FromJson(const Json& j, const std::string& ctx, std::string* out) { return DecodeString(j, ctx, out); }
inline Json ToJson(uint64_t v) { return Json(v); }
inline Json ToJson(const std::string& v) { return Json(v); }

// Required field decoded with the FromJson overload for T.
template <typename T>
Status DecodeField(const Json& obj, const char* name, const std::string& ctx, T* out) {
  return DecodeField(obj, name, ctx, out,
                     [](const Json& j, const std::string& c, T* o) { return FromJson(j, c, o); });
}

// An optional number field that may be absent or null (older versions print `null`):
// both mean "not set".
Status DecodeNullableU64(const Json& obj, const char* name, const std::string& ctx,
                         std::optional<uint64_t>* out);

// Short name for a JSON value's type, for messages ("string", "number", ...).
std::string JsonTypeName(const Json& j);

}  // namespace raftstore
