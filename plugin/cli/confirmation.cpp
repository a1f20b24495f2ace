#include "plugin/cli/confirmation.hpp"

#include <unistd.h>

#include <iostream>

namespace agentchat {

bool confirmOnce(bool yes, const std::string& what) {
  if (yes) return true;
  if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDERR_FILENO) != 1) {
    std::cerr << "docker agentchat: " << what << "; with no terminal to ask on, confirm with --yes\n";
    return false;
  }
  std::cerr << what << ". Go on? [y/N] ";
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::cerr << "not confirmed; nothing was changed\n";
  return false;
}

}  // namespace agentchat
