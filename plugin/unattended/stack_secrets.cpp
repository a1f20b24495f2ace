#include "plugin/unattended/stack_secrets.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace agentchat {

namespace {

bool secretName(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  if (name.ends_with("_FILE")) return false;  // a path, and the file's content is read below
  for (const char* word : {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "PASS", "CREDENTIAL"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

base::SecretMask stackSecrets(const compose::Stack& stack) {
  base::SecretMask mask;
  for (const auto& [name, service] : stack.services) {
    for (const auto& entry : service.env) {
      auto eq = entry.find('=');
      if (eq != std::string::npos && secretName(entry.substr(0, eq))) mask.add(entry.substr(eq + 1));
    }
  }
  for (const auto& [key, secret] : stack.secrets) {
    if (secret.file.empty()) continue;
    std::ifstream in(secret.file);
    std::stringstream text;
    if (in) text << in.rdbuf();
    mask.add(text.str());
  }
  if (stack.settings.notifyUrl) mask.add(*stack.settings.notifyUrl);
  return mask;
}

}  // namespace agentchat
