#include "raftstore/common/settings_file.h"

#include <algorithm>
#include <memory>

namespace raftstore {

namespace {

// CLI11's TOML reader with the flags' names: a key foo_bar is the flag --foo-bar. Anything
// that is not a setting is refused here, naming the file and the key as written.
class SettingsFile : public CLI::ConfigTOML {
 public:
  // `path`: the file, for messages ("" : the app's --config value).
  explicit SettingsFile(const CLI::App* app, std::string path = "") : app_(app), path_(std::move(path)) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    const std::string path = path_.empty() ? app_->get_config_ptr()->as<std::string>() : path_;
    for (CLI::ConfigItem& item : items) {
      const std::string key = item.fullname();
      if (!item.parents.empty()) {
        // A [section]: CLI11 marks its start and end with items named "++" and "--".
        if (item.name == "++" || item.name == "--") continue;
        throw CLI::ConfigError(path + ": unknown setting \"" + key + "\" (the file has no [sections])");
      }
      if (item.name.find('-') != std::string::npos) {
        std::string underscored = item.name;
        std::replace(underscored.begin(), underscored.end(), '-', '_');
        throw CLI::ConfigError(path + ": unknown setting \"" + key + "\" (did you mean " + underscored + "?)");
      }
      std::replace(item.name.begin(), item.name.end(), '_', '-');
      const CLI::Option* opt = app_->get_option_no_throw("--" + item.name);
      if (opt == nullptr || !opt->get_configurable()) {
        throw CLI::ConfigError(path + ": unknown setting \"" + key + "\"");
      }
    }
    return items;
  }

 private:
  const CLI::App* app_;
  std::string path_;
};

}  // namespace

void AddSettingsFileOption(CLI::App* app) {
  app->set_config("--config", "", "TOML file with the same settings, keys as the flags with _ for - (flags win)")
      ->configurable(false);
  app->config_formatter(std::make_shared<SettingsFile>(app));
  app->allow_config_extras(CLI::config_extras_mode::error);
}

void AddSubcommandSettingsFile(CLI::App* cmd, std::string* path) {
  cmd->add_option("--config", *path,
                  "TOML file with the same settings, keys as the flags with _ for - (flags win)")
      ->configurable(false);
}

Status ApplySettingsFile(CLI::App* cmd, const std::string& path) {
  if (path.empty()) return Status::OK();
  try {
    const std::vector<CLI::ConfigItem> items = SettingsFile(cmd, path).from_file(path);
    for (const CLI::ConfigItem& item : items) {
      if (item.name == "++" || item.name == "--") continue;
      CLI::Option* opt = cmd->get_option_no_throw("--" + item.name);
      if (opt == nullptr || opt->count() > 0) continue;  // checked by from_file; the flag wins
      for (const std::string& v : item.inputs) opt->add_result(v);
      try {
        opt->run_callback();
      } catch (const CLI::Error& e) {
        std::string key = item.name;
        std::replace(key.begin(), key.end(), '-', '_');
        return Status::InvalidArgument(path + ": " + key + ": " + e.what());
      }
    }
  } catch (const CLI::FileError& e) {
    return Status::InvalidArgument("--config " + path + ": " + e.what());
  } catch (const CLI::ConfigError& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status::OK();
}

}  // namespace raftstore
