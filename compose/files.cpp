#include "compose/files.hpp"

#include "compose/error.hpp"

namespace compose {

namespace fs = std::filesystem;

namespace {

fs::path absoluteFrom(const fs::path& cwd, const std::string& name) {
  if (name == "-") {
    throw Error("-f -: reading a compose file from standard input is not supported; name the file");
  }
  if (name.empty()) throw Error("an empty compose file name was given");
  fs::path path(name);
  return (path.is_absolute() ? path : fs::absolute(cwd / path)).lexically_normal();
}

bool isFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

}  // namespace

std::vector<fs::path> defaultFiles(const fs::path& dir) {
  for (const char* stem : {"compose", "docker-compose"}) {
    for (const char* ext : {".yaml", ".yml"}) {
      fs::path main = dir / (std::string(stem) + ext);
      if (!isFile(main)) continue;
      std::vector<fs::path> files{main};
      for (const char* overrideExt : {".yaml", ".yml"}) {
        fs::path over = dir / (std::string(stem) + ".override" + overrideExt);
        if (isFile(over)) {
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

std::vector<fs::path> composeFiles(const std::vector<std::string>& explicitFiles, const fs::path& cwd,
                                   const Lookup& env) {
  std::vector<fs::path> files;
  for (const auto& name : explicitFiles) files.push_back(absoluteFrom(cwd, name));
  if (!files.empty()) return files;

  auto list = env ? env("COMPOSE_FILE") : std::nullopt;
  if (!list || list->empty()) return defaultFiles(fs::absolute(cwd).lexically_normal());
  auto separator = env("COMPOSE_PATH_SEPARATOR");
  const std::string sep = separator && !separator->empty() ? *separator : ":";
  for (std::size_t start = 0; start <= list->size();) {
    std::size_t end = list->find(sep, start);
    if (end == std::string::npos) end = list->size();
    if (end > start) files.push_back(absoluteFrom(cwd, list->substr(start, end - start)));
    start = end + sep.size();
  }
  if (files.empty()) return defaultFiles(fs::absolute(cwd).lexically_normal());
  return files;
}

}  // namespace compose
