#include "metactl/client/auth_commands.h"

#include <iostream>

#include "metactl/client/client_flags.h"
#include "metactl/client/format.h"

namespace metactl::client {
namespace {

using raftstore::Result;
using raftstore::Status;

// The new password of `user add` / `user passwd`: --new-password-file, else typed twice on a
// terminal, else the first line of stdin. Never a flag's value.
Result<std::string> NewPassword(const std::string& file, const std::string& user) {
  if (!file.empty()) return ReadPasswordFile(file);
  if (!StdinIsTerminal()) return ReadPasswordFromStdin("");
  RS_ASSIGN_OR_RETURN(std::string first, ReadPasswordFromStdin("new password of user " + user + ": "));
  RS_ASSIGN_OR_RETURN(std::string again, ReadPasswordFromStdin("the same again: "));
  if (first != again) return Status::InvalidArgument("the two passwords differ: nothing changed");
  return first;
}

int Done(const char* what) {
  std::cout.flush();
  return std::cout ? kExitOk : Fail(Status::IOError(std::string(what) + ": writing stdout failed"));
}

// A subcommand's connection flags fall back to its parent's (`user --grpc-api-address A add x`).
void Inherit(const ClientFlags& parent, ClientFlags* sub) {
  if (sub->addrs.empty()) sub->addrs = parent.addrs;
  sub->json = sub->json || parent.json;
}

class UserCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("user", "Manage the users of a live cluster (docs/auth.md)");
    flags_.Add(cmd);
    cmd->require_subcommand(1, 1);
    add_ = cmd->add_subcommand("add", "Add a user with a role (readonly, readwrite or root); the password is "
                                      "read from --new-password-file, a terminal prompt or stdin");
    add_->add_option("name", add_name_, "the new user's name")->required();
    add_->add_option("--role", add_role_, "readonly, readwrite or root")
        ->required()
        ->check(CLI::IsMember({"readonly", "readwrite", "root"}));
    add_->add_option("--new-password-file", add_file_, "file whose first line is the new user's password");
    add_flags_.Add(add_);
    list_ = cmd->add_subcommand("list", "List the users and their roles (never their password hashes)");
    list_flags_.Add(list_);
    remove_ = cmd->add_subcommand("remove", "Remove a user (not the last root while auth is enabled)");
    remove_->add_option("name", remove_name_, "the user's name")->required();
    remove_flags_.Add(remove_);
    passwd_ = cmd->add_subcommand("passwd", "Change a user's password (its tokens stop working)");
    passwd_->add_option("name", passwd_name_, "the user's name")->required();
    passwd_->add_option("--new-password-file", passwd_file_, "file whose first line is the new password");
    passwd_flags_.Add(passwd_);
    return cmd;
  }

  int Run() override {
    for (ClientFlags* sub : {&add_flags_, &list_flags_, &remove_flags_, &passwd_flags_}) Inherit(flags_, sub);
    if (add_->parsed()) return RunAdd();
    if (remove_->parsed()) return RunRemove();
    if (passwd_->parsed()) return RunPasswd();
    return RunList();
  }

 private:
  int RunAdd() {
    auto password = NewPassword(add_file_, add_name_);
    if (!password.ok()) return Fail(password.status().WithContext("user add " + add_name_));
    Status st = CallWithRetry(add_flags_.Retry(), [&](MetaClient& c) { return c.UserAdd(add_name_, *password, add_role_); });
    if (!st.ok()) return Fail(st);
    std::cout << "added user " << add_name_ << " with role " << add_role_ << '\n';
    return Done("user add");
  }

  int RunRemove() {
    Status st = CallWithRetry(remove_flags_.Retry(), [&](MetaClient& c) { return c.UserRemove(remove_name_); });
    if (!st.ok()) return Fail(st);
    std::cout << "removed user " << remove_name_ << '\n';
    return Done("user remove");
  }

  int RunPasswd() {
    auto password = NewPassword(passwd_file_, passwd_name_);
    if (!password.ok()) return Fail(password.status().WithContext("user passwd " + passwd_name_));
    Status st = CallWithRetry(passwd_flags_.Retry(),
                              [&](MetaClient& c) { return c.UserChangePassword(passwd_name_, *password); });
    if (!st.ok()) return Fail(st);
    std::cout << "changed the password of user " << passwd_name_ << '\n';
    return Done("user passwd");
  }

  int RunList() {
    auto r = CallWithRetry<metasrv::UserListReply>(list_flags_.Retry(), [](MetaClient& c) { return c.UserList(); });
    if (!r.ok()) return Fail(r.status());
    if (list_flags_.json) {
      Json users = Json::array();
      for (const auto& u : r->users()) {
        Json j = Json::object();
        j["name"] = u.name();
        j["role"] = u.role();
        users.push_back(std::move(j));
      }
      Json out = Json::object();
      out["users"] = std::move(users);
      std::cout << DumpJson(out) << '\n';
    } else {
      for (const auto& u : r->users()) std::cout << u.name() << '\t' << u.role() << '\n';
    }
    return Done("user list");
  }

  ClientFlags flags_, add_flags_, list_flags_, remove_flags_, passwd_flags_;
  CLI::App *add_ = nullptr, *list_ = nullptr, *remove_ = nullptr, *passwd_ = nullptr;
  std::string add_name_, add_role_, add_file_, remove_name_, passwd_name_, passwd_file_;
};

class AuthCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    CLI::App* cmd = app.add_subcommand("auth", "Turn authentication of a live cluster on or off (docs/auth.md)");
    flags_.Add(cmd);
    cmd->require_subcommand(1, 1);
    enable_ = cmd->add_subcommand("enable", "Require a token on every call (refused unless a root user exists; "
                                            "on an enabled cluster: a new token key, earlier tokens end)");
    enable_flags_.Add(enable_);
    disable_ = cmd->add_subcommand("disable", "Let every call through again (needs root while enabled)");
    disable_flags_.Add(disable_);
    status_ = cmd->add_subcommand("status", "Say whether auth is enabled");
    status_flags_.Add(status_);
    return cmd;
  }

  int Run() override {
    for (ClientFlags* sub : {&enable_flags_, &disable_flags_, &status_flags_}) Inherit(flags_, sub);
    const bool change = enable_->parsed() || disable_->parsed();
    const ClientFlags& f = enable_->parsed() ? enable_flags_ : disable_->parsed() ? disable_flags_ : status_flags_;
    auto r = CallWithRetry<metasrv::AuthStatusReply>(f.Retry(), [&](MetaClient& c) {
      return change ? c.AuthEnable(enable_->parsed()) : c.AuthStatus();
    });
    if (!r.ok()) return Fail(r.status());
    if (f.json) {
      Json j = Json::object();
      j["enabled"] = r->enabled();
      std::cout << DumpJson(j) << '\n';
    } else {
      std::cout << "auth " << (r->enabled() ? "enabled" : "disabled") << '\n';
    }
    return Done("auth");
  }

 private:
  ClientFlags flags_, enable_flags_, disable_flags_, status_flags_;
  CLI::App *enable_ = nullptr, *disable_ = nullptr, *status_ = nullptr;
};

}  // namespace

std::vector<std::unique_ptr<Command>> AuthCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(std::make_unique<UserCommand>());
  all.push_back(std::make_unique<AuthCommand>());
  return all;
}

}  // namespace metactl::client
