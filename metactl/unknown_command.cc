#include "metactl/unknown_command.h"

#include <algorithm>
#include <map>

namespace metactl {
namespace {

// Levenshtein distance (insert, delete, substitute: 1 each).
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Names operators bring from etcdctl and shells, which no edit distance finds.
const std::map<std::string, std::string>& Synonyms() {
  static const std::map<std::string, std::string> kSynonyms = {
      {"put", "upsert"}, {"set", "upsert"}, {"del", "delete"}, {"rm", "delete"},
      {"ls", "list"},    {"range", "list"}, {"member", "members"}, {"snapshot", "backup"},
  };
  return kSynonyms;
}

}  // namespace

std::string SuggestCommand(const std::string& word, const std::vector<std::string>& names) {
  auto known = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  auto syn = Synonyms().find(word);
  if (syn != Synonyms().end() && known(syn->second)) return syn->second;
  for (const auto& n : names) {
    if (!word.empty() && n.starts_with(word)) return n;
  }
  std::string best;
  size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
  for (const auto& n : names) {
    size_t d = EditDistance(word, n);
    if (d < best_distance) {
      best = n;
      best_distance = d;
    }
  }
  return best;
}

std::string UnknownCommandMessage(const CLI::App& app, int argc, const char* const* argv) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") return "";
    if (arg.size() > 1 && arg[0] == '-') {
      // An option of the main app: skip its value when it takes one and it is not attached.
      std::string name = arg.substr(0, arg.find('='));
      const CLI::Option* opt = app.get_option_no_throw(name);
      if (opt != nullptr && opt->get_type_size() > 0 && name.size() == arg.size()) ++i;
      continue;
    }
    if (std::find(names.begin(), names.end(), arg) != names.end()) return "";
    std::string message = "unknown command '" + arg + "'";
    std::string near = SuggestCommand(arg, names);
    if (!near.empty()) message += "; did you mean '" + near + "'?";
    return message + " (metactl --help lists the commands)";
  }
  return "";
}

}  // namespace metactl
