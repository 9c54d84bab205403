#include "raftstore/auth/users.h"

#include "raftstore/model/json_util.h"

namespace raftstore::auth {

const char* RoleName(Role r) {
  switch (r) {
    case Role::kReadonly: return "readonly";
    case Role::kReadwrite: return "readwrite";
    case Role::kRoot: return "root";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : {Role::kReadonly, Role::kReadwrite, Role::kRoot}) {
    if (name == RoleName(r)) return r;
  }
  return Status::InvalidArgument("unknown role \"" + std::string(name) + "\": use readonly, readwrite or root");
}

Status CheckUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("user name must have 1 to 64 characters, got " + std::to_string(name.size()));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '@' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("user name \"" + std::string(name) +
                                     "\" has a character other than letters, digits and _.@-");
    }
  }
  return Status::OK();
}

std::string UserKey(std::string_view name) { return std::string(kUsersPrefix) + std::string(name); }

std::optional<std::string> UserNameOfKey(std::string_view key) {
  if (!key.starts_with(kUsersPrefix) || key.size() == kUsersPrefix.size()) return std::nullopt;
  return std::string(key.substr(kUsersPrefix.size()));
}

std::string EncodeUser(const UserRecord& u) {
  Json j;
  j["role"] = RoleName(u.role);
  j["password_hash"] = u.password_hash;
  return j.dump();
}

Result<UserRecord> DecodeUser(std::string_view name, std::string_view value) {
  const std::string ctx = "user \"" + std::string(name) + "\" (key " + UserKey(name) + ")";
  Json j = Json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(ctx + ": value is not JSON");
  RS_RETURN_IF_ERROR(ExpectObject(j, ctx));
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"role", "password_hash"}, ctx));
  const Json* role = nullptr;
  const Json* hash = nullptr;
  RS_RETURN_IF_ERROR(RequireField(j, "role", ctx, &role));
  RS_RETURN_IF_ERROR(RequireField(j, "password_hash", ctx, &hash));
  std::string role_name;
  UserRecord u;
  RS_RETURN_IF_ERROR(DecodeString(*role, ctx + ": role", &role_name));
  RS_RETURN_IF_ERROR(DecodeString(*hash, ctx + ": password_hash", &u.password_hash));
  auto r = ParseRole(role_name);
  if (!r.ok()) return Status::Corruption(ctx + ": " + r.status().message());
  u.role = *r;
  return u;
}

}  // namespace raftstore::auth
