#pragma once
// Compose profiles: a service that lists `profiles:` belongs to the project only while one of them
// is active (COMPOSE_PROFILES, comma-separated, from the environment or .env; "*" is all of them).
#include <set>
#include <string>
#include <vector>

#include "compose/interpolate.hpp"
#include "compose/model.hpp"

namespace compose {

std::set<std::string> activeProfiles(const std::vector<std::string>& given, const Lookup& lookup);

// Sets each service's `enabled`. A disabled service stays in the project: the stack still backs
// it up while it has containers (started earlier with --profile), see buildStack.
void applyProfiles(std::map<std::string, Service>& services, const std::set<std::string>& active);

}  // namespace compose
