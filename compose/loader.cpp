#include "compose/loader.hpp"

#include <yaml-cpp/yaml.h>

#include "compose/checks.hpp"
#include "compose/dotenv.hpp"
#include "compose/error.hpp"
#include "compose/interpolate.hpp"
#include "compose/merge.hpp"
#include "compose/profiles.hpp"
#include "compose/project_name.hpp"
#include "compose/resources.hpp"
#include "compose/service_parser.hpp"
#include "compose/settings_parser.hpp"
#include "compose/unsupported.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace fs = std::filesystem;

namespace {

// Files below the working directory are named as the user would type them.
std::string displayName(const fs::path& file, const fs::path& cwd) {
  fs::path relative = file.lexically_relative(cwd);
  if (relative.empty() || *relative.begin() == "..") return file.string();
  return relative.string();
}

// Replaces every scalar value (not keys: compose does not interpolate those) by its interpolation.
// The node keeps its position, so later errors still point at the right line.
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
      std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
      interpolateNode(item.second, lookup, file, path.empty() ? key : path + "." + key);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      interpolateNode(node[i], lookup, file, path + "[" + std::to_string(i) + "]");
    }
  }
}

YAML::Node loadYaml(const fs::path& path, const std::string& name) {
  auto text = readTextFile(path.string());
  if (!text) throw Error(name, 0, "", "no such compose file");
  YAML::Node node;
  try {
    node = YAML::Load(*text);
  } catch (const YAML::ParserException& e) {
    throw Error(name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "invalid YAML: " + e.msg);
  }
  if (!node || node.IsNull()) throw Error(name, 0, "", "the compose file is empty");
  if (!node.IsMap()) throw Error(name, lineOf(node), "", "a compose file must be a mapping (services: ...)");
  return node;
}

// Runs `body`, turning yaml-cpp's own exceptions (a value of the wrong shape) into our Error.
template <typename F>
auto guarded(const std::string& file, F&& body) {
  try {
    return body();
  } catch (const YAML::Exception& e) {
    throw Error(file, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", e.msg);
  }
}

Lookup mapLookup(const std::map<std::string, std::string>& values) {
  return [&values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
}

// The .env file(s): --env-file when given (then they must exist), else <dir>/.env when present.
// Values may refer to the process environment and to earlier lines.
std::map<std::string, std::string> readDotenv(const LoadOptions& options, const fs::path& cwd,
                                              const fs::path& dir, const Lookup& processEnv,
                                              std::vector<fs::path>* read) {
  std::map<std::string, std::string> values;
  const bool explicitFiles = !options.envFiles.empty();
  std::vector<fs::path> paths;
  for (const auto& p : options.envFiles) paths.push_back((cwd / p).lexically_normal());
  if (!explicitFiles) paths.push_back(dir / ".env");
  for (const auto& path : paths) {
    auto text = readTextFile(path.string());
    if (!text) {
      if (explicitFiles) throw Error(displayName(path, cwd), 0, "", "env file not found (--env-file)");
      continue;
    }
    if (read) read->push_back(path);
    Lookup chained = [&](const std::string& name) -> std::optional<std::string> {
      if (auto value = processEnv(name)) return value;
      if (auto it = values.find(name); it != values.end()) return it->second;
      return std::nullopt;
    };
    for (const auto& entry : parseDotenv(*text, displayName(path, cwd), chained)) {
      if (entry.value) {
        values[entry.key] = *entry.value;
      } else if (auto value = processEnv(entry.key)) {
        values[entry.key] = *value;
      }
    }
  }
  return values;
}

// -p, then COMPOSE_PROJECT_NAME (process environment or .env), then `name:` in the files, then
// the project directory's name made valid.
std::string projectName(const LoadOptions& options, const Lookup& lookup, const YAML::Node& merged,
                        const std::vector<SourceFile>& sources, const fs::path& workingDir) {
  if (options.projectName) return validateProjectName(*options.projectName, "-p");
  if (auto fromEnv = lookup("COMPOSE_PROJECT_NAME"); fromEnv && !fromEnv->empty()) {
    return validateProjectName(*fromEnv, "COMPOSE_PROJECT_NAME");
  }
  if (const YAML::Node name = merged["name"]; name && name.IsScalar() && !name.Scalar().empty()) {
    std::string origin = "name";
    for (auto it = sources.rbegin(); it != sources.rend(); ++it) {
      if (const YAML::Node here = static_cast<const YAML::Node&>(it->root)["name"]) {
        origin = it->name + ":" + std::to_string(lineOf(here)) + ": name";
        break;
      }
    }
    return validateProjectName(name.Scalar(), origin);
  }
  std::string name = normalizeProjectName(workingDir.filename().string());
  if (name.empty()) {
    throw Error("cannot derive a project name from the directory " + workingDir.string() +
                "; give one with -p NAME");
  }
  return name;
}

}  // namespace

Project load(const LoadOptions& options) {
  const fs::path cwd =
      fs::absolute(options.cwd.empty() ? fs::current_path() : options.cwd).lexically_normal();
  const Lookup processEnv = mapLookup(options.environ);
  std::optional<fs::path> projectDirectory;
  if (options.projectDirectory) projectDirectory = (cwd / *options.projectDirectory).lexically_normal();

  // Compose reads .env twice: once before the files are known (from --project-directory or the
  // working directory), because it may set COMPOSE_FILE; then from the project directory.
  const auto early = readDotenv(options, cwd, projectDirectory.value_or(cwd), processEnv, nullptr);
  const Lookup earlyLookup = [&](const std::string& name) -> std::optional<std::string> {
    if (auto value = processEnv(name)) return value;
    return mapLookup(early)(name);
  };

  Project project;
  project.files = composeFiles(options.files, cwd, earlyLookup);
  project.workingDir = projectDirectory.value_or(project.files.front().parent_path());

  // Interpolation sees the process environment first, then the .env file(s).
  const auto dotenv = readDotenv(options, cwd, project.workingDir, processEnv, &project.envFiles);
  project.env = dotenv;
  for (const auto& [key, value] : options.environ) project.env[key] = value;
  const Lookup lookup = mapLookup(project.env);

  // Each file is interpolated and checked on its own first, so errors name the right file and line.
  ParseContext context{project.workingDir, lookup};
  std::vector<SourceFile> sources;
  YAML::Node merged;
  for (const auto& path : project.files) {
    const std::string name = displayName(path, cwd);
    YAML::Node node = loadYaml(path, name);
    refuseUnsupported(node, name);
    interpolateNode(node, lookup, name, "");
    const YAML::Node& root = node;
    guarded(name, [&] {
      parseServices(root, name, context);
      parseVolumes(root, name, "project");
      parseSecrets(root, name, project.workingDir);
      return parseSettings(root["x-agentchat"], name);
    });
    sources.push_back({name, node});
    merged = merged ? mergeFiles(merged, node) : node;
  }

  // Errors from the merged tree can only be about the combination; they name the first file.
  const std::string first = sources.front().name;
  const YAML::Node& root = merged;
  project.name = projectName(options, lookup, root, sources, project.workingDir);
  guarded(first, [&] {
    project.services = parseServices(root, first, context);
    project.volumes = parseVolumes(root, first, project.name);
    project.secrets = parseSecrets(root, first, project.workingDir);
    project.agentchat = parseSettings(root["x-agentchat"], first);
    return 0;
  });
  applyProfiles(project.services, activeProfiles(options.profiles, lookup));
  applyShorthands(project, sources);
  checkReferences(project, sources);
  return project;
}

}  // namespace compose
