#include "compose/profiles.hpp"

namespace compose {

namespace {
std::string trimmed(const std::string& text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}
}  // namespace

std::set<std::string> activeProfiles(const std::vector<std::string>& given, const Lookup& lookup) {
  std::set<std::string> active;
  for (const auto& profile : given) active.insert(profile);
  if (auto fromEnv = lookup("COMPOSE_PROFILES")) {
    for (std::size_t start = 0; start <= fromEnv->size();) {
      auto comma = fromEnv->find(',', start);
      if (comma == std::string::npos) comma = fromEnv->size();
      if (auto name = trimmed(fromEnv->substr(start, comma - start)); !name.empty()) active.insert(name);
      start = comma + 1;
    }
  }
  return active;
}

void applyProfiles(std::map<std::string, Service>& services, const std::set<std::string>& active) {
  for (auto& [name, service] : services) {
    service.enabled = service.profiles.empty() || active.count("*") > 0;
    for (const auto& profile : service.profiles)
      service.enabled = service.enabled || active.count(profile) > 0;
  }
}

}  // namespace compose
