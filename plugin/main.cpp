#include <string>
#include <vector>

#include "plugin/cli.hpp"
#include "plugin/guard/stack_guard.hpp"

int main(int argc, char** argv) {
  // Before any thread exists, so the signal mask is inherited by all of them.
  agentchat::StackGuard::installSignalHandling();
  std::vector<std::string> args(argv + 1, argv + argc);
  return agentchat::runCli(args, dockerapi::processEnviron());
}
