#include <string>
#include <vector>

#include "plugin/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return agentchat::runCli(args, dockerapi::processEnviron());
}
