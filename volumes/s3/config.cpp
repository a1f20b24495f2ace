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

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// OSS's region in an endpoint such as oss-cn-hangzhou.aliyuncs.com, s3.oss-cn-hangzhou.aliyuncs.com or
// oss-cn-hangzhou-internal.aliyuncs.com ("cn-hangzhou"); empty for other hosts and the global ones.
std::string aliyunRegion(const std::string& endpoint) {
  if (!aliyunEndpoint(endpoint)) return "";
  std::string host = hostOf(endpoint);
  std::istringstream labels(host.substr(0, host.find(':')));
  for (std::string label; std::getline(labels, label, '.');) {
    if (label.rfind("oss-", 0) != 0) continue;
    std::string region = label.substr(4);
    if (endsWith(region, "-internal")) region.resize(region.size() - 9);
    if (region.empty() || region.rfind("accelerate", 0) == 0) return "";
    return region;
  }
  return "";
}

// Trailing slashes off; S3Error (naming `from`) unless it is http:// or https://.
std::string checkedEndpoint(std::string endpoint, const std::string& from) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
    throw S3Error("S3 endpoint '" + endpoint + "' (" + from + ") must start with http:// or https://");
  }
  return endpoint;
}

// The region as the AWS CLI finds it for `profile`: AWS_REGION, AWS_DEFAULT_REGION, then the config
// file (AWS_CONFIG_FILE or ~/.aws/config); empty when none says.
std::string environmentRegion(const std::map<std::string, std::string>& env, const std::string& profile) {
  std::string region = firstSet(env, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (!region.empty()) return region;
  std::string configPath = firstSet(env, {"AWS_CONFIG_FILE"});
  std::string home = get(env, "HOME");
  if (configPath.empty() && !home.empty()) configPath = home + "/.aws/config";
  if (auto text = readFile(configPath)) {
    auto sections = parseIniFile(*text);
    auto it = sections.find(profile == "default" ? "default" : "profile " + profile);
    if (it != sections.end() && it->second.count("region")) return it->second["region"];
  }
  return "";
}

// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials; empty without HOME.
std::string sharedCredentialsPath(const std::map<std::string, std::string>& env) {
  std::string path = firstSet(env, {"AWS_SHARED_CREDENTIALS_FILE"});
  std::string home = get(env, "HOME");
  if (path.empty() && !home.empty()) path = home + "/.aws/credentials";
  return path;
}

// The keys under [profile] in the credentials file at `path`; nullopt when it cannot be read. A
// missing profile or key throws S3Error: `lead` + what is wrong (`namedBy` saying who chose the
// profile) + "; " + `how`. Never a key in a message.
std::optional<Credentials> profileCredentials(const std::string& path, const std::string& profile,
                                              const std::string& lead, const std::string& namedBy,
                                              const std::string& how) {
  auto text = path.empty() ? std::nullopt : readFile(path);
  if (!text) return std::nullopt;
  auto sections = parseIniFile(*text);
  auto it = sections.find(profile);
  if (it == sections.end()) {
    throw S3Error(lead + path + " has no profile [" + profile + "]" + namedBy + "; " + how);
  }
  auto& keys = it->second;
  if (keys["aws_access_key_id"].empty() || keys["aws_secret_access_key"].empty()) {
    throw S3Error(lead + "profile [" + profile + "] in " + path +
                  " lacks aws_access_key_id or aws_secret_access_key; " + how);
  }
  return Credentials{keys["aws_access_key_id"], keys["aws_secret_access_key"], keys["aws_session_token"]};
}

// AWS_PROFILE, else "default"; `named` tells whether AWS_PROFILE chose it.
std::string environmentProfile(const std::map<std::string, std::string>& env, bool& named) {
  std::string profile = get(env, "AWS_PROFILE");
  named = !profile.empty();
  return named ? profile : "default";
}

// The keys as the AWS CLI finds them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
// else the shared credentials file's [AWS_PROFILE or default].
Credentials environmentCredentials(const std::map<std::string, std::string>& env) {
  std::string id = get(env, "AWS_ACCESS_KEY_ID");
  std::string secret = get(env, "AWS_SECRET_ACCESS_KEY");
  if (!id.empty() && !secret.empty()) return {id, secret, get(env, "AWS_SESSION_TOKEN")};
  if (!id.empty() || !secret.empty()) {
    throw S3Error(std::string("S3 credentials incomplete: ") +
                  (id.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                              : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not") +
                  "; set both");
  }
  bool profileNamed = false;
  std::string profile = environmentProfile(env, profileNamed);
  std::string path = sharedCredentialsPath(env);
  std::string how =
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
      "credentials), or put aws_access_key_id and aws_secret_access_key under [" +
      profile + "] in " + (path.empty() ? "~/.aws/credentials" : path) +
      " (AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE choose another file or profile)";
  auto credentials = profileCredentials(
      path, profile, "no S3 credentials found: ", profileNamed ? " (named by AWS_PROFILE)" : "", how);
  if (!credentials) throw S3Error("no S3 credentials found: " + how);
  return *credentials;
}

// The path style the environment forces (AGENTCHAT_S3_PATH_STYLE, AWS_S3_FORCE_PATH_STYLE), else the
// endpoint's default.
bool environmentPathStyle(const std::map<std::string, std::string>& env, const std::string& endpoint) {
  auto forced = flag(firstSet(env, {"AGENTCHAT_S3_PATH_STYLE", "AWS_S3_FORCE_PATH_STYLE"}));
  return forced.value_or(defaultPathStyle(endpoint));
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

bool aliyunEndpoint(const std::string& endpoint) {
  std::string host = hostOf(endpoint);
  host = host.substr(0, host.find(':'));
  return endsWith(host, "aliyuncs.com") || endsWith(host, "aliyuncs-internal.com");
}

bool defaultPathStyle(const std::string& endpoint) {
  if (aliyunEndpoint(endpoint)) return false;  // OSS refuses path style
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
  bool profileNamed = false;
  config.region = environmentRegion(env, environmentProfile(env, profileNamed));
  if (config.region.empty()) config.region = "us-east-1";

  config.endpoint = firstSet(env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (config.endpoint.empty()) config.endpoint = "https://s3." + config.region + ".amazonaws.com";
  config.endpoint = checkedEndpoint(config.endpoint, "AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL");
  config.pathStyle = environmentPathStyle(env, config.endpoint);
  config.credentials = environmentCredentials(env);
  return config;
}

Config configForAccess(const Location& location, const Access& access,
                       const std::map<std::string, std::string>& env) {
  const std::string entry = "the objects entry for s3://" + location.bucket;
  Config config;
  config.bucket = location.bucket;
  config.addressing = access.addressing;

  // With keys of its own the entry's profile (else "default") also picks the config file's region.
  const bool ownKeys = !access.profile.empty() || !access.credentialsFile.empty();
  bool fromEnvironment = false;
  std::string profile = !access.profile.empty() ? access.profile
                        : ownKeys               ? "default"
                                                : environmentProfile(env, fromEnvironment);
  config.region = access.region;
  if (config.region.empty()) config.region = aliyunRegion(access.endpoint);
  if (config.region.empty()) config.region = environmentRegion(env, profile);
  if (config.region.empty()) config.region = "us-east-1";

  if (!access.endpoint.empty()) {
    std::string endpoint = access.endpoint;
    if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
    config.endpoint = checkedEndpoint(endpoint, entry + ", its endpoint");
    config.pathStyle = defaultPathStyle(config.endpoint);
  } else {
    config.endpoint = firstSet(env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
    if (config.endpoint.empty()) config.endpoint = "https://s3." + config.region + ".amazonaws.com";
    config.endpoint = checkedEndpoint(
        config.endpoint, "AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, used as " + entry + " names none");
    config.pathStyle = environmentPathStyle(env, config.endpoint);
  }

  if (!ownKeys) {
    try {
      config.credentials = environmentCredentials(env);
    } catch (const S3Error& error) {
      throw S3Error(std::string(error.what()) + " (for s3://" + location.bucket + ", as " + entry +
                    " names no profile or credentials file of its own)");
    }
    return config;
  }
  std::string path = access.credentialsFile;
  std::string home = get(env, "HOME");
  if (path.rfind("~/", 0) == 0 && !home.empty()) path = home + path.substr(1);
  std::string origin = "its credentials file";
  if (path.empty()) {
    path = sharedCredentialsPath(env);
    origin = get(env, "AWS_SHARED_CREDENTIALS_FILE").empty() ? "the default credentials file"
                                                             : "AWS_SHARED_CREDENTIALS_FILE";
  }
  std::string how = "put aws_access_key_id and aws_secret_access_key under [" + profile + "] in " +
                    (path.empty() ? "~/.aws/credentials" : path) +
                    ", or name another profile or credentials file in " + entry +
                    " (AWS_ACCESS_KEY_ID is never used for it)";
  const std::string lead = "no S3 credentials for s3://" + location.bucket + ": ";
  auto credentials = profileCredentials(path, profile, lead,
                                        access.profile.empty() ? "" : " (named by its objects entry)", how);
  if (!credentials) {
    throw S3Error(lead +
                  (path.empty() ? "no credentials file (HOME is not set)"
                                : "cannot read " + path + " (" + origin + ")") +
                  "; " + how);
  }
  config.credentials = *credentials;
  return config;
}

}  // namespace volumes::s3
