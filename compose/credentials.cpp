#include "compose/credentials.hpp"

#include <sstream>

namespace compose {

std::optional<std::string> envValue(const std::vector<std::string>& env, const std::string& name) {
  std::optional<std::string> found;
  for (const std::string& entry : env) {  // the last definition wins, as in a process environment
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=') {
      found = entry.substr(name.size() + 1);
    }
  }
  return found;
}

namespace {

std::string trimNewline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// VAR or VAR_FILE (the file's content, without its trailing newline, as the images do).
std::optional<std::pair<Secret, std::string>> secretFrom(const std::vector<std::string>& env,
                                                         const std::string& var,
                                                         const ContainerFileReader& readFile) {
  if (auto value = envValue(env, var); value && !value->empty()) return std::pair{Secret(*value), var};
  if (auto file = envValue(env, var + "_FILE"); file && !file->empty()) {
    return std::pair{Secret(trimNewline(readFile(*file))), var + "_FILE"};
  }
  return std::nullopt;
}

bool truthy(const std::optional<std::string>& value) {
  return value && !value->empty() && *value != "0" && *value != "no" && *value != "false";
}

// Resolves "$VAR" / "${VAR}" against the container's environment (a compose command like
// `sh -c "redis-server --requirepass $$REDIS_PASSWORD"` reaches the container as $REDIS_PASSWORD).
std::string expand(const std::string& token, const std::vector<std::string>& env) {
  if (token.size() < 2 || token[0] != '$') return token;
  std::string name = token.substr(1);
  if (name.size() >= 2 && name.front() == '{' && name.back() == '}') name = name.substr(1, name.size() - 2);
  return envValue(env, name).value_or("");
}

}  // namespace

std::optional<DatabaseLogin> mysqlLogin(const std::vector<std::string>& env,
                                        const ContainerFileReader& readFile) {
  for (const char* var : {"MYSQL_ROOT_PASSWORD", "MARIADB_ROOT_PASSWORD"}) {
    if (auto secret = secretFrom(env, var, readFile))
      return DatabaseLogin{"root", secret->first, false, secret->second};
  }
  for (const char* var : {"MYSQL_ALLOW_EMPTY_PASSWORD", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"}) {
    if (truthy(envValue(env, var))) return DatabaseLogin{"root", Secret(), true, var};
  }
  for (const char* prefix : {"MYSQL_", "MARIADB_"}) {
    auto user = envValue(env, std::string(prefix) + "USER");
    if (!user || user->empty()) continue;
    if (auto secret = secretFrom(env, std::string(prefix) + "PASSWORD", readFile)) {
      return DatabaseLogin{*user, secret->first, false, secret->second};
    }
  }
  return std::nullopt;
}

std::optional<DatabaseLogin> redisLogin(const std::vector<std::string>& env,
                                        const std::vector<std::string>& command,
                                        const ContainerFileReader& readFile) {
  // The command may be a vector of words or one `sh -c "..."` string: look at every word.
  std::vector<std::string> words;
  for (const std::string& part : command) {
    std::istringstream split(part);
    std::string word;
    while (split >> word) words.push_back(word);
  }
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string password;
    if (words[i] == "--requirepass" && i + 1 < words.size()) {
      password = words[i + 1];
    } else if (words[i].starts_with("--requirepass=")) {
      password = words[i].substr(14);
    } else {
      continue;
    }
    if (password.size() >= 2 && (password.front() == '"' || password.front() == '\'') &&
        password.back() == password.front()) {
      password = password.substr(1, password.size() - 2);
    }
    password = expand(password, env);
    if (!password.empty()) return DatabaseLogin{"default", Secret(password), false, "--requirepass"};
  }
  if (auto secret = secretFrom(env, "REDIS_PASSWORD", readFile)) {
    return DatabaseLogin{"default", secret->first, false, secret->second};
  }
  return std::nullopt;
}

std::optional<DatabaseLogin> postgresLogin(const std::vector<std::string>& env,
                                           const ContainerFileReader& readFile) {
  std::string user = envValue(env, "POSTGRES_USER").value_or("postgres");
  if (user.empty()) user = "postgres";
  if (auto secret = secretFrom(env, "POSTGRES_PASSWORD", readFile)) {
    return DatabaseLogin{user, secret->first, false, secret->second};
  }
  if (envValue(env, "POSTGRES_HOST_AUTH_METHOD") == "trust")
    return DatabaseLogin{user, Secret(), true, "trust"};
  return std::nullopt;
}

}  // namespace compose
