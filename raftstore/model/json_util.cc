#include "raftstore/model/json_util.h"

namespace raftstore {

std::string JsonTypeName(const Json& j) {
  if (j.is_null()) return "null";
  if (j.is_boolean()) return "boolean";
  if (j.is_number_unsigned()) return "unsigned number";
  if (j.is_number_integer()) return "negative number";
  if (j.is_number_float()) return "fractional number";
  if (j.is_string()) return "string";
  if (j.is_array()) return "array";
  return "object";
}

Status ExpectObject(const Json& j, const std::string& ctx) {
  if (!j.is_object()) return Status::Corruption(ctx + ": expected an object, found " + JsonTypeName(j));
  return Status::OK();
}

Status RequireField(const Json& obj, const char* name, const std::string& ctx, const Json** out) {
  RS_RETURN_IF_ERROR(ExpectObject(obj, ctx));
  auto it = obj.find(name);
  if (it == obj.end()) return Status::Corruption(ctx + ": missing field \"" + name + "\"");
  *out = &*it;
  return Status::OK();
}

const Json* OptionalField(const Json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

Status RejectUnknownFields(const Json& obj, std::initializer_list<const char*> known,
                           const std::string& ctx) {
  RS_RETURN_IF_ERROR(ExpectObject(obj, ctx));
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const char* k : known) {
      if (it.key() == k) { ok = true; break; }
    }
    if (!ok) return Status::Corruption(ctx + ": unknown field \"" + it.key() + "\"");
  }
  return Status::OK();
}

Status DecodeU64(const Json& j, const std::string& ctx, uint64_t* out) {
  if (!j.is_number_unsigned()) {
    if (j.is_number_integer() && j.get<int64_t>() >= 0) { *out = j.get<uint64_t>(); return Status::OK(); }
    return Status::Corruption(ctx + ": expected an unsigned integer, found " + JsonTypeName(j));
  }
  *out = j.get<uint64_t>();
  return Status::OK();
}

Status DecodeI64(const Json& j, const std::string& ctx, int64_t* out) {
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Status::Corruption(ctx + ": integer out of range");
    }
    *out = j.get<int64_t>();
    return Status::OK();
  }
  return Status::Corruption(ctx + ": expected an integer, found " + JsonTypeName(j));
}

Status DecodeBool(const Json& j, const std::string& ctx, bool* out) {
  if (!j.is_boolean()) return Status::Corruption(ctx + ": expected true or false, found " + JsonTypeName(j));
  *out = j.get<bool>();
  return Status::OK();
}

Status DecodeString(const Json& j, const std::string& ctx, std::string* out) {
  if (!j.is_string()) return Status::Corruption(ctx + ": expected a string, found " + JsonTypeName(j));
  *out = j.get<std::string>();
  return Status::OK();
}

Status DecodeBytes(const Json& j, const std::string& ctx, std::string* out) {
  if (!j.is_array()) return Status::Corruption(ctx + ": expected an array of bytes, found " + JsonTypeName(j));
  out->clear();
  out->reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const Json& b = j[i];
    if (!b.is_number_integer() || b.get<int64_t>() < 0 || b.get<int64_t>() > 255) {
      return Status::Corruption(ctx + ": element " + std::to_string(i) + " is not a byte (0..255)");
    }
    out->push_back(static_cast<char>(static_cast<uint8_t>(b.get<int64_t>())));
  }
  return Status::OK();
}

Json EncodeBytes(const std::string& bytes) {
  Json a = Json::array();
  for (unsigned char c : bytes) a.push_back(static_cast<uint64_t>(c));
  return a;
}

Status DecodeNullableU64(const Json& obj, const char* name, const std::string& ctx,
                         std::optional<uint64_t>* out) {
  out->reset();
  const Json* f = OptionalField(obj, name);
  if (f == nullptr || f->is_null()) return Status::OK();
  uint64_t v = 0;
  RS_RETURN_IF_ERROR(DecodeU64(*f, ctx + ": " + name, &v));
  *out = v;
  return Status::OK();
}

Status DecodeTagged(const Json& j, const std::string& ctx, std::string* tag, const Json** body) {
  if (j.is_string()) {
    *tag = j.get<std::string>();
    *body = nullptr;
    return Status::OK();
  }
  if (!j.is_object() || j.size() != 1) {
    return Status::Corruption(ctx + ": expected an object with exactly one variant key, found " +
                              (j.is_object() ? std::to_string(j.size()) + " keys" : JsonTypeName(j)));
  }
  *tag = j.begin().key();
  *body = &j.begin().value();
  return Status::OK();
}

}  // namespace raftstore
