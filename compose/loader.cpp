#include "compose/loader.hpp"

#include <yaml-cpp/yaml.h>

#include "compose/dotenv.hpp"
#include "compose/error.hpp"
#include "compose/interpolate.hpp"
#include "compose/merge.hpp"
#include "compose/project_name.hpp"
#include "compose/service_parser.hpp"
#include "compose/settings_parser.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace fs = std::filesystem;

namespace {

// Replaces every scalar value (not keys) by its interpolation; errors carry the key path.
void interpolateNode(YAML::Node node, const Lookup& lookup, const std::string& file,
                     const std::string& path) {
  if (node.IsScalar()) {
    try {
      node = interpolate(node.Scalar(), lookup);
    } catch (const std::invalid_argument& e) {
      throw Error(file, lineOf(node), path, e.what());
    }
  } else if (node.IsMap()) {
    for (auto item : node) {
      std::string key = item.first.as<std::string>();
      interpolateNode(item.second, lookup, file, path.empty() ? key : path + "." + key);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      interpolateNode(node[i], lookup, file, path + "[" + std::to_string(i) + "]");
    }
  }
}

YAML::Node loadYaml(const fs::path& path) {
  auto text = readTextFile(path.string());
  if (!text) throw Error(path.string() + ": no such compose file");
  try {
    YAML::Node node = YAML::Load(*text);
    if (!node.IsMap()) throw Error(path.string(), 1, "", "a compose file must be a mapping (services: ...)");
    return node;
  } catch (const YAML::ParserException& e) {
    throw Error(path.string(), e.mark.line + 1, "", "invalid YAML: " + e.msg);
  }
}

}  // namespace

std::vector<fs::path> defaultFiles(const fs::path& dir) {
  for (const char* stem : {"compose", "docker-compose"}) {
    for (const char* ext : {".yaml", ".yml"}) {
      fs::path main = dir / (std::string(stem) + ext);
      std::error_code ec;
      if (!fs::exists(main, ec)) continue;
      std::vector<fs::path> files{main};
      for (const char* overrideExt : {".yaml", ".yml"}) {
        fs::path over = dir / (std::string(stem) + ".override" + overrideExt);
        if (fs::exists(over, ec)) {
          files.push_back(over);
          break;
        }
      }
      return files;
    }
  }
  throw Error("no compose file in " + dir.string() +
              " (looked for compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml); run in the "
              "project's directory or name the files with -f");
}

std::vector<std::string> shellSplit(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool inWord = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        word.push_back(text[++i]);
      } else {
        word.push_back(c);
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      inWord = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word.push_back(text[++i]);
      inWord = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (inWord) words.push_back(word);
      word.clear();
      inWord = false;
    } else {
      word.push_back(c);
      inWord = true;
    }
  }
  if (inWord) words.push_back(word);
  return words;
}

Project load(const LoadOptions& options) {
  auto env = [&](const std::string& key) -> std::optional<std::string> {
    auto it = options.environ.find(key);
    return it == options.environ.end() ? std::nullopt : std::optional(it->second);
  };
  std::vector<fs::path> files;
  for (const auto& f : options.files) files.push_back(fs::absolute(options.cwd / f).lexically_normal());
  if (files.empty()) {
    if (auto list = env("COMPOSE_FILE"); list && !list->empty()) {
      std::size_t start = 0;
      while (start <= list->size()) {
        std::size_t end = list->find(':', start);
        if (end == std::string::npos) end = list->size();
        if (end > start)
          files.push_back(fs::absolute(options.cwd / list->substr(start, end - start)).lexically_normal());
        start = end + 1;
      }
    } else {
      files = defaultFiles(options.cwd);
    }
  }
  Project project;
  project.files = files;
  project.workingDir = options.projectDirectory
                           ? fs::absolute(options.cwd / *options.projectDirectory).lexically_normal()
                           : files.front().parent_path();

  // Interpolation sees the process environment first, then the .env file(s).
  std::map<std::string, std::string> dotenv;
  std::vector<fs::path> envFiles = options.envFiles;
  bool explicitEnvFiles = !envFiles.empty();
  if (!explicitEnvFiles) envFiles.push_back(project.workingDir / ".env");
  for (auto path : envFiles) {
    path = fs::absolute(options.cwd / path);
    auto text = readTextFile(path.string());
    if (!text) {
      if (explicitEnvFiles) throw Error(path.string() + ": env file not found (--env-file)");
      continue;
    }
    project.envFiles.push_back(path);
    for (const auto& entry : parseDotenv(*text, path.string(), env)) {
      if (entry.value) dotenv[entry.key] = *entry.value;
    }
  }
  Lookup lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (auto value = env(name)) return value;
    if (auto it = dotenv.find(name); it != dotenv.end()) return it->second;
    return std::nullopt;
  };

  // Each file is interpolated and checked on its own first, so errors name the right file and line.
  ParseContext context{project.workingDir, lookup};
  YAML::Node merged;
  for (const auto& file : files) {
    YAML::Node node = loadYaml(file);
    interpolateNode(node, lookup, file.string(), "");
    parseServices(node, file.string(), context);  // validation only
    parseSettings(node["x-agentchat"], file.string());
    merged = merged ? mergeFiles(merged, node) : node;
  }

  std::string first = files.front().string();
  if (options.projectName) {
    project.name = validateProjectName(*options.projectName, "-p");
  } else if (auto fromEnv = env("COMPOSE_PROJECT_NAME"); fromEnv && !fromEnv->empty()) {
    project.name = validateProjectName(*fromEnv, "COMPOSE_PROJECT_NAME");
  } else if (merged["name"] && merged["name"].IsScalar() && !merged["name"].Scalar().empty()) {
    project.name = validateProjectName(merged["name"].Scalar(), first + ": name");
  } else {
    project.name = normalizeProjectName(project.workingDir.filename().string());
    if (project.name.empty()) {
      throw Error("cannot derive a project name from the directory " + project.workingDir.string() +
                  "; give one with -p NAME");
    }
  }

  project.services = parseServices(merged, first, context);
  project.volumes = parseVolumes(merged, first, project.name);
  project.secrets = parseSecrets(merged, first, project.workingDir);
  project.agentchat = parseSettings(merged["x-agentchat"], first);
  applyShorthands(project, first);
  checkVolumeReferences(project, first);
  return project;
}

}  // namespace compose
