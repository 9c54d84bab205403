#include "raftstore/common/settings_file.h"

#include <algorithm>
#include <memory>

namespace raftstore {

namespace {

// CLI11's TOML reader with the flags' names: a key foo_bar is the flag --foo-bar. Anything
// that is not a setting is refused here, naming the file and the key as written.
class SettingsFile : public CLI::ConfigTOML {
 public:
  explicit SettingsFile(const CLI::App* app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    const std::string path = app_->get_config_ptr()->as<std::string>();
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
};

}  // namespace

void AddSettingsFileOption(CLI::App* app) {
  app->set_config("--config", "", "TOML file with the same settings, keys as the flags with _ for - (flags win)")
      ->configurable(false);
  app->config_formatter(std::make_shared<SettingsFile>(app));
  app->allow_config_extras(CLI::config_extras_mode::error);
}

}  // namespace raftstore
