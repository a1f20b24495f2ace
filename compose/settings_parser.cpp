#include "compose/settings_parser.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "compose/error.hpp"
#include "compose/shell_split.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace {

void checkKeys(const YAML::Node& node, const std::string& file, const std::string& path,
               const std::vector<std::string>& known) {
  if (!node.IsMap()) throw Error(file, lineOf(node), path, "must be a mapping");
  for (const auto& item : node) {
    std::string key = scalarText(item.first, file, path);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw Error(file, lineOf(item.first), path + "." + key, "unknown key (known: " + list + ")");
    }
  }
}

std::string scalar(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node.IsScalar()) throw Error(file, lineOf(node), path, "must be a string");
  if (node.Scalar().empty()) throw Error(file, lineOf(node), path, "must not be empty");
  return node.Scalar();
}

int integer(const YAML::Node& node, const std::string& file, const std::string& path, int min, int max) {
  std::string text = node.IsScalar() ? node.Scalar() : std::string{};
  try {
    std::size_t used = 0;
    int value = std::stoi(text, &used);
    if (used == text.size() && value >= min && value <= max) return value;
  } catch (const std::exception&) {
  }
  throw Error(file, lineOf(node), path,
              "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
}

std::vector<std::string> strings(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (node.IsScalar()) return {scalar(node, file, path)};
  if (!node.IsSequence()) throw Error(file, lineOf(node), path, "must be a list of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < node.size(); ++i)
    out.push_back(scalar(node[i], file, path + "[" + std::to_string(i) + "]"));
  return out;
}

// Log paths are read inside the container, where there is no working directory to be relative to.
std::vector<std::string> absolutePaths(const YAML::Node& node, const std::string& file,
                                       const std::string& path) {
  std::vector<std::string> out = strings(node, file, path);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i][0] != '/') {
      const YAML::Node where = node.IsSequence() ? node[i] : node;
      throw Error(file, lineOf(where), node.IsSequence() ? path + "[" + std::to_string(i) + "]" : path,
                  "'" + out[i] + "' must be an absolute path in the container");
    }
  }
  return out;
}

std::string oneOf(const YAML::Node& node, const std::string& file, const std::string& path,
                  const std::set<std::string>& allowed) {
  std::string value = scalar(node, file, path);
  if (!allowed.count(value)) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw Error(file, lineOf(node), path, "'" + value + "' is not one of " + list);
  }
  return value;
}

double number(const YAML::Node& node, const std::string& file, const std::string& path, double min,
              double max, const std::string& range) {
  std::string text = node.IsScalar() ? node.Scalar() : std::string{};
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && value >= min && value <= max) return value;
  } catch (const std::exception&) {
  }
  throw Error(file, lineOf(node), path, "must be a number " + range);
}

// A hook's command: a list of words, or one string split as a shell would (no expansion).
std::vector<std::string> commandWords(const YAML::Node& node, const std::string& file,
                                      const std::string& path) {
  std::vector<std::string> words =
      node.IsScalar() ? shellSplit(scalar(node, file, path)) : strings(node, file, path);
  if (words.empty()) throw Error(file, lineOf(node), path, "must name a command");
  return words;
}

std::vector<Hook> hookList(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node.IsSequence())
    throw Error(file, lineOf(node), path,
                "must be a list of hooks ({command: [...], timeout, on_error, user})");
  std::vector<Hook> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    std::string at = path + "[" + std::to_string(i) + "]";
    const YAML::Node& h = node[i];
    checkKeys(h, file, at, {"command", "timeout", "on_error", "user"});
    if (!h["command"]) throw Error(file, lineOf(h), at, "needs a command");
    Hook hook;
    hook.command = commandWords(h["command"], file, at + ".command");
    if (h["timeout"]) hook.timeoutSeconds = integer(h["timeout"], file, at + ".timeout", 1, 86400);
    if (h["on_error"])
      hook.failRun = oneOf(h["on_error"], file, at + ".on_error", {"fail", "warn"}) == "fail";
    if (h["user"]) hook.user = scalar(h["user"], file, at + ".user");
    out.push_back(std::move(hook));
  }
  return out;
}

// x-agentchat.objects: NAME -> {url, endpoint, region, profile, credentials_file, addressing,
// referenced_by}. Keys and secrets have no place here: an entry that tries is refused without echo.
std::vector<ObjectSource> objectSources(const YAML::Node& node, const std::string& file,
                                        const std::string& path) {
  if (!node.IsMap())
    throw Error(file, lineOf(node), path, "must map names to buckets ({url: s3://BUCKET/PREFIX, ...})");
  std::vector<ObjectSource> out;
  for (const auto& item : node) {
    ObjectSource source;
    source.name = scalarText(item.first, file, path);
    std::string at = path + "." + source.name;
    bool nameOk = !source.name.empty() && source.name.size() <= 64 &&
                  std::all_of(source.name.begin(), source.name.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                  });
    if (!nameOk)
      throw Error(file, lineOf(item.first), at, "the name must be letters, digits, '-' or '_' (64 at most)");
    const YAML::Node& e = item.second;
    if (e.IsMap()) {
      for (const auto& key : e) {
        std::string k = scalarText(key.first, file, at);
        if (k.find("secret") != std::string::npos || k.find("access_key") != std::string::npos ||
            k == "password" || k == "token")
          throw Error(file, lineOf(key.first), at + "." + k,
                      "keys and secrets never go in the compose file: name a profile or credentials_file, "
                      "or set them in the environment (value not shown)");
      }
    }
    checkKeys(e, file, at,
              {"url", "endpoint", "region", "profile", "credentials_file", "addressing", "referenced_by"});
    if (!e["url"]) throw Error(file, lineOf(e), at, "needs a url (s3://BUCKET or s3://BUCKET/PREFIX)");
    source.url = scalar(e["url"], file, at + ".url");
    if (source.url.rfind("s3://", 0) != 0 || source.url.size() <= 5)
      throw Error(file, lineOf(e["url"]), at + ".url", "must be s3://BUCKET or s3://BUCKET/PREFIX");
    if (e["endpoint"]) {
      source.endpoint = scalar(e["endpoint"], file, at + ".endpoint");
      if (source.endpoint->rfind("http://", 0) != 0 && source.endpoint->rfind("https://", 0) != 0)
        throw Error(file, lineOf(e["endpoint"]), at + ".endpoint", "must be an http:// or https:// URL");
    }
    if (e["region"]) source.region = scalar(e["region"], file, at + ".region");
    if (e["profile"]) source.profile = scalar(e["profile"], file, at + ".profile");
    if (e["credentials_file"])
      source.credentialsFile = scalar(e["credentials_file"], file, at + ".credentials_file");
    if (e["addressing"])
      source.addressing =
          oneOf(e["addressing"], file, at + ".addressing", {"auto", "path", "virtual", "domain"});
    if (source.addressing == "domain" && !source.endpoint)
      throw Error(file, lineOf(e), at + ".addressing", "domain needs the endpoint: the bucket's own domain");
    if (const auto r = e["referenced_by"]) {
      std::string value = scalar(r, file, at + ".referenced_by");
      auto first = value.find('.'), second = value.find('.', first == std::string::npos ? first : first + 1);
      bool ok = first != std::string::npos && second != std::string::npos && first > 0 &&
                second > first + 1 && second + 1 < value.size() &&
                value.find('.', second + 1) == std::string::npos;
      if (!ok) throw Error(file, lineOf(r), at + ".referenced_by", "must be database.table.column");
      source.referencedBy = value;
    }
    out.push_back(std::move(source));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

const std::set<std::string> kRoles = {"mysql", "redis", "postgres", "app", "none"};

}  // namespace

Settings parseSettings(const YAML::Node& node, const std::string& file) {
  const std::string base = "x-agentchat";
  Settings settings;
  if (!node || node.IsNull()) return settings;
  checkKeys(node, file, base,
            {"repository", "retention", "schedule", "compression_level", "consistency", "excludes", "roles",
             "logs", "encrypt_to", "passphrase_file", "notify", "metrics_file", "sanity", "objects"});
  if (node["repository"]) settings.repository = scalar(node["repository"], file, base + ".repository");
  if (const auto r = node["retention"]) {
    std::string path = base + ".retention";
    checkKeys(r, file, path, {"keep_last", "keep_daily", "keep_weekly", "keep_monthly"});
    auto read = [&](const char* key, std::optional<int>& into) {
      if (r[key]) into = integer(r[key], file, path + "." + key, 0, 100000);
    };
    read("keep_last", settings.retention.keepLast);
    read("keep_daily", settings.retention.keepDaily);
    read("keep_weekly", settings.retention.keepWeekly);
    read("keep_monthly", settings.retention.keepMonthly);
  }
  if (const auto s = node["schedule"]) {
    std::string value = scalar(s, file, base + ".schedule");
    auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(value[i])) != 0; };
    bool ok = value.size() == 5 && value[2] == ':' && digit(0) && digit(1) && digit(3) && digit(4) &&
              std::stoi(value.substr(0, 2)) < 24 && std::stoi(value.substr(3)) < 60;
    if (!ok)
      throw Error(file, lineOf(s), base + ".schedule", "must be a time of day as HH:MM, e.g. \"02:00\"");
    settings.schedule = value;
  }
  if (node["compression_level"]) {
    settings.compressionLevel = integer(node["compression_level"], file, base + ".compression_level", 1, 19);
  }
  if (node["consistency"])
    settings.consistency = oneOf(node["consistency"], file, base + ".consistency", {"online", "stop"});
  if (node["excludes"]) settings.excludes = strings(node["excludes"], file, base + ".excludes");
  if (const auto to = node["encrypt_to"]) {
    for (const auto& key : strings(to, file, base + ".encrypt_to")) {
      if (key.rfind("age1", 0) != 0)
        throw Error(file, lineOf(to), base + ".encrypt_to",
                    "must list age public keys (age1…); an entry is not one (not shown: it may be a secret)");
    }
    settings.encryptTo = strings(to, file, base + ".encrypt_to");
  }
  if (node["passphrase_file"])
    settings.passphraseFile = scalar(node["passphrase_file"], file, base + ".passphrase_file");
  if (const auto n = node["notify"]) {
    checkKeys(n, file, base + ".notify", {"url"});
    if (n["url"]) {
      std::string url = scalar(n["url"], file, base + ".notify.url");
      if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
        throw Error(file, lineOf(n["url"]), base + ".notify.url", "must be an http:// or https:// URL");
      settings.notifyUrl = url;
    }
  }
  if (node["metrics_file"]) {
    settings.metricsFile = scalar(node["metrics_file"], file, base + ".metrics_file");
    if (settings.metricsFile->size() < 5 || !settings.metricsFile->ends_with(".prom"))
      throw Error(file, lineOf(node["metrics_file"]), base + ".metrics_file",
                  "must end in .prom (node_exporter's textfile collector reads only those)");
  }
  if (const auto s = node["sanity"]) {
    checkKeys(s, file, base + ".sanity", {"smaller_than", "larger_than"});
    if (s["smaller_than"])
      settings.sanity.smallerThan =
          number(s["smaller_than"], file, base + ".sanity.smaller_than", 0, 1, "from 0 to 1, e.g. 0.5");
    if (s["larger_than"])
      settings.sanity.largerThan =
          number(s["larger_than"], file, base + ".sanity.larger_than", 1, 1000, "from 1 to 1000, e.g. 2.0");
  }
  if (node["objects"]) settings.objects = objectSources(node["objects"], file, base + ".objects");
  if (const auto roles = node["roles"]) {
    if (!roles.IsMap()) throw Error(file, lineOf(roles), base + ".roles", "must map service names to roles");
    for (const auto& item : roles) {
      std::string service = scalarText(item.first, file, base + ".roles");
      settings.roles[service] = oneOf(item.second, file, base + ".roles." + service, kRoles);
    }
  }
  if (const auto logs = node["logs"]) {
    if (!logs.IsMap())
      throw Error(file, lineOf(logs), base + ".logs", "must map service names to lists of paths");
    for (const auto& item : logs) {
      std::string service = scalarText(item.first, file, base + ".logs");
      settings.logs[service] = absolutePaths(item.second, file, base + ".logs." + service);
    }
  }
  return settings;
}

ServiceSettings parseServiceSettings(const YAML::Node& node, const std::string& file,
                                     const std::string& service) {
  const std::string base = "services." + service + ".x-agentchat";
  ServiceSettings settings;
  if (!node || node.IsNull()) return settings;
  checkKeys(node, file, base, {"role", "databases", "logs", "excludes", "skip", "hooks"});
  if (node["role"]) settings.role = oneOf(node["role"], file, base + ".role", kRoles);
  if (node["databases"]) settings.databases = strings(node["databases"], file, base + ".databases");
  if (node["logs"]) settings.logs = absolutePaths(node["logs"], file, base + ".logs");
  if (node["excludes"]) settings.excludes = strings(node["excludes"], file, base + ".excludes");
  if (node["skip"]) settings.skip = booleanOf(node["skip"], file, base + ".skip");
  if (const auto h = node["hooks"]) {
    std::string path = base + ".hooks";
    checkKeys(h, file, path, {"pre_backup", "post_backup", "pre_restore", "post_restore"});
    if (h["pre_backup"]) settings.hooks.preBackup = hookList(h["pre_backup"], file, path + ".pre_backup");
    if (h["post_backup"]) settings.hooks.postBackup = hookList(h["post_backup"], file, path + ".post_backup");
    if (h["pre_restore"]) settings.hooks.preRestore = hookList(h["pre_restore"], file, path + ".pre_restore");
    if (h["post_restore"])
      settings.hooks.postRestore = hookList(h["post_restore"], file, path + ".post_restore");
  }
  return settings;
}

}  // namespace compose
