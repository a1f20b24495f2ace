#pragma once
// URL building for the Engine API: percent-encoding, query strings and the JSON `filters` parameter.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dockerapi {

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percentEncode(std::string_view text);

using QueryParams = std::vector<std::pair<std::string, std::string>>;
// "?a=1&b=x%2Fy", or "" when empty.
std::string encodeQuery(const QueryParams& params);

// The engine's filters: {"label": ["com.docker.compose.project=x"]} as compact JSON.
using Filters = std::map<std::string, std::vector<std::string>>;
std::string encodeFilters(const Filters& filters);

}  // namespace dockerapi
