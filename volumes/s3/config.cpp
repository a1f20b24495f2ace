#include "volumes/s3/config.hpp"

#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

namespace volumes::s3 {

namespace {

std::string trim(const std::string& text) {
  std::size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  std::size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

std::string get(const std::map<std::string, std::string>& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

std::string firstSet(const std::map<std::string, std::string>& env,
                     std::initializer_list<const char*> names) {
  for (const char* name : names) {
    std::string value = get(env, name);
    if (!value.empty()) return value;
  }
  return "";
}

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool validBucketName(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-' || c == '.')) {
      return false;
    }
  }
  return std::isalnum(static_cast<unsigned char>(name.front())) &&
         std::isalnum(static_cast<unsigned char>(name.back()));
}

// "true"/"1" and "false"/"0"; anything else (or unset) means "not said".
std::optional<bool> flag(const std::string& value) {
  if (value == "true" || value == "1" || value == "TRUE" || value == "True") return true;
  if (value == "false" || value == "0" || value == "FALSE" || value == "False") return false;
  return std::nullopt;
}

std::string hostOf(const std::string& endpoint) {
  std::size_t start = endpoint.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::size_t end = endpoint.find_first_of("/?", start);
  return endpoint.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

Location parseLocation(const std::string& url) {
  const std::string scheme = "s3://";
  if (url.rfind(scheme, 0) != 0) {
    throw S3Error("not an S3 location: '" + url + "' (expected s3://BUCKET or s3://BUCKET/PREFIX)");
  }
  std::string rest = url.substr(scheme.size());
  std::size_t slash = rest.find('/');
  Location location;
  location.bucket = rest.substr(0, slash);
  if (!validBucketName(location.bucket)) {
    throw S3Error(
        "invalid bucket name '" + location.bucket + "' in '" + url +
        "': 3 to 63 characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit");
  }
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::istringstream segments(prefix);
  for (std::string segment; std::getline(segments, segment, '/');) {
    if (segment.empty() || segment == "." || segment == "..") {
      throw S3Error("invalid prefix '" + prefix + "' in '" + url +
                    "': no empty, '.' or '..' path segments (write s3://" + location.bucket + "/a/b)");
    }
  }
  location.prefix = prefix;
  return location;
}

bool defaultPathStyle(const std::string& endpoint) {
  std::string host = hostOf(endpoint);
  if (host.find(':') != std::string::npos) return true;  // a port, or an IPv6 literal
  bool numeric = !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
  const std::string aws = ".amazonaws.com";
  bool isAws = host.size() > aws.size() && host.compare(host.size() - aws.size(), aws.size(), aws) == 0;
  return numeric || !isAws;
}

std::map<std::string, std::map<std::string, std::string>> parseIniFile(const std::string& text) {
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::string section;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      sections[section];
      continue;
    }
    std::size_t eq = line.find('=');
    if (eq == std::string::npos || section.empty()) continue;
    sections[section][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return sections;
}

Config configFromEnvironment(const std::map<std::string, std::string>& env) {
  Config config;
  std::string home = get(env, "HOME");
  std::string profile = firstSet(env, {"AWS_PROFILE"});
  bool profileNamed = !profile.empty();
  if (!profileNamed) profile = "default";

  config.region = firstSet(env, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (config.region.empty()) {
    std::string configPath = firstSet(env, {"AWS_CONFIG_FILE"});
    if (configPath.empty() && !home.empty()) configPath = home + "/.aws/config";
    if (auto text = readFile(configPath)) {
      auto sections = parseIniFile(*text);
      auto it = sections.find(profile == "default" ? "default" : "profile " + profile);
      if (it != sections.end() && it->second.count("region")) config.region = it->second["region"];
    }
  }
  if (config.region.empty()) config.region = "us-east-1";

  config.endpoint = firstSet(env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (config.endpoint.empty()) config.endpoint = "https://s3." + config.region + ".amazonaws.com";
  while (!config.endpoint.empty() && config.endpoint.back() == '/') config.endpoint.pop_back();
  if (config.endpoint.rfind("http://", 0) != 0 && config.endpoint.rfind("https://", 0) != 0) {
    throw S3Error("S3 endpoint '" + config.endpoint +
                  "' (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) must start with http:// or https://");
  }

  auto forced = flag(firstSet(env, {"AGENTCHAT_S3_PATH_STYLE", "AWS_S3_FORCE_PATH_STYLE"}));
  config.pathStyle = forced.value_or(defaultPathStyle(config.endpoint));

  std::string id = get(env, "AWS_ACCESS_KEY_ID");
  std::string secret = get(env, "AWS_SECRET_ACCESS_KEY");
  if (!id.empty() && !secret.empty()) {
    config.credentials = {id, secret, get(env, "AWS_SESSION_TOKEN")};
    return config;
  }
  if (!id.empty() || !secret.empty()) {
    throw S3Error(std::string("S3 credentials incomplete: ") +
                  (id.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                              : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not") +
                  "; set both");
  }
  std::string path = firstSet(env, {"AWS_SHARED_CREDENTIALS_FILE"});
  if (path.empty() && !home.empty()) path = home + "/.aws/credentials";
  std::string how =
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
      "credentials), or put aws_access_key_id and aws_secret_access_key under [" +
      profile + "] in " + (path.empty() ? "~/.aws/credentials" : path) +
      " (AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE choose another file or profile)";
  auto text = path.empty() ? std::nullopt : readFile(path);
  if (!text) throw S3Error("no S3 credentials found: " + how);
  auto sections = parseIniFile(*text);
  auto it = sections.find(profile);
  if (it == sections.end()) {
    throw S3Error("no S3 credentials found: " + path + " has no profile [" + profile + "]" +
                  (profileNamed ? " (named by AWS_PROFILE)" : "") + "; " + how);
  }
  auto& keys = it->second;
  if (keys["aws_access_key_id"].empty() || keys["aws_secret_access_key"].empty()) {
    throw S3Error("no S3 credentials found: profile [" + profile + "] in " + path +
                  " lacks aws_access_key_id or aws_secret_access_key; " + how);
  }
  config.credentials = {keys["aws_access_key_id"], keys["aws_secret_access_key"], keys["aws_session_token"]};
  return config;
}

}  // namespace volumes::s3
