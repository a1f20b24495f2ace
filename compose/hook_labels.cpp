#include "compose/hook_labels.hpp"

#include <stdexcept>

#include "compose/shell_split.hpp"

namespace compose {

namespace {

std::optional<Hook> hookFromLabels(const std::map<std::string, std::string>& labels, const std::string& owner,
                                   const std::string& phase) {
  const std::string key = kHookLabelPrefix + phase;
  auto label = [&](const std::string& suffix) -> const std::string* {
    auto it = labels.find(key + suffix);
    return it == labels.end() ? nullptr : &it->second;
  };
  auto bad = [&](const std::string& suffix, const std::string& what) {
    return std::invalid_argument("label " + key + suffix + " of " + owner + ": " + what);
  };
  const std::string* command = label("");
  if (command == nullptr) {
    for (const char* suffix : {".timeout", ".on_error", ".user"}) {
      if (label(suffix) != nullptr)
        throw bad(suffix, "set, but there is no " + key + " label with the command");
    }
    return std::nullopt;
  }
  Hook hook;
  hook.command = shellSplit(*command);
  if (hook.command.empty()) throw bad("", "must name a command");
  if (const auto* timeout = label(".timeout")) {
    std::size_t used = 0;
    int seconds = 0;
    try {
      seconds = std::stoi(*timeout, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != timeout->size() || seconds < 1 || seconds > 86400)
      throw bad(".timeout", "must be a whole number of seconds from 1 to 86400");
    hook.timeoutSeconds = seconds;
  }
  if (const auto* onError = label(".on_error")) {
    if (*onError != "fail" && *onError != "warn") throw bad(".on_error", "must be fail or warn");
    hook.failRun = *onError == "fail";
  }
  if (const auto* user = label(".user")) {
    if (user->empty()) throw bad(".user", "must not be empty");
    hook.user = *user;
  }
  return hook;
}

}  // namespace

void addHookLabels(const std::map<std::string, std::string>& labels, const std::string& owner, Hooks& hooks) {
  struct Phase {
    const char* name;
    std::vector<Hook>* list;
  };
  for (const Phase& p :
       {Phase{"pre_backup", &hooks.preBackup}, Phase{"post_backup", &hooks.postBackup},
        Phase{"pre_restore", &hooks.preRestore}, Phase{"post_restore", &hooks.postRestore}}) {
    auto hook = hookFromLabels(labels, owner, p.name);
    if (hook && p.list->empty()) p.list->push_back(std::move(*hook));
  }
}

}  // namespace compose
