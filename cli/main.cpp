#include <string>
#include <vector>

#include "cli/seedctl.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Blank a password given on the command line so `ps` does not show it (as aria2 does).
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    char* secret = nullptr;
    if (a.rfind("--password=", 0) == 0) secret = argv[i] + 11;
    else if (a == "--password" && i + 1 < argc) secret = argv[i + 1];
    for (char* p = secret; p && *p; ++p) *p = 'x';
  }
  return seedd::cli::seedctl_main(std::move(args));
}
