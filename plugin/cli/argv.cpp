#include "plugin/cli/argv.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace agentchat {

namespace {
// docker's global flags that take a separate value (plus ours that may stand before the command).
constexpr std::array<std::string_view, 12> kValued = {"-c",        "--context", "-H",           "--host",
                                                      "--config",  "-l",        "--log-level",  "--tlscacert",
                                                      "--tlscert", "--tlskey",  "--log-format", "--repo"};
}  // namespace

std::vector<std::string> stripPluginName(std::vector<std::string> args) {
  std::size_t i = 0;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-') {
    if (args[i] == "--") break;
    bool takesValue = std::find(kValued.begin(), kValued.end(), args[i]) != kValued.end();
    i += takesValue ? 2 : 1;
  }
  if (i < args.size() && args[i] == "agentchat") args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
  return args;
}

std::vector<std::string> rewriteHelp(std::vector<std::string> args) {
  if (args.empty() || args.front() != "help") return args;
  args.erase(args.begin());
  if (!args.empty() && args.front() == "agentchat") args.erase(args.begin());
  args.push_back("--help");
  return args;
}

}  // namespace agentchat
