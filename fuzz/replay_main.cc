// The main of a fuzz target built without libFuzzer (the regular gcc build and the ASan build):
// runs LLVMFuzzerTestOneInput once on every file named, or on every file of every directory
// named (sorted, so a failure is reproducible), and says how many it ran. A missing directory
// is not an error (a target may have no regression yet) but is said. A broken property aborts
// (fuzz_check.h), naming the file just before.
//   fuzz_replay_<target> DIR_OR_FILE...
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"

namespace fs = std::filesystem;

namespace {

int RunFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::cerr << p.string() << ": cannot read\n";
    return 1;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::cerr << "replay " << p.string() << " (" << bytes.size() << " bytes)\n";
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  size_t runs = 0;
  for (int i = 1; i < argc; ++i) {
    fs::path arg(argv[i]);
    std::vector<fs::path> files;
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
    } else if (fs::exists(arg)) {
      files.push_back(arg);
    } else {
      std::cerr << arg.string() << ": absent, nothing to replay there\n";
    }
    for (const auto& f : files) {
      if (RunFile(f) != 0) return 1;
      ++runs;
    }
  }
  std::cout << "replayed " << runs << " input(s) without a failure\n";
  return 0;
}
