#include "plugin/cli/stack_loader.hpp"

#include <filesystem>

#include "compose/error.hpp"
#include "dockerapi/errors.hpp"

namespace agentchat {

namespace fs = std::filesystem;

namespace {

compose::LoadOptions optionsFor(Session& session) {
  const ProjectOptions& p = session.options().project;
  compose::LoadOptions options;
  options.files = p.files;
  options.projectName = p.projectName;
  if (p.projectDirectory) options.projectDirectory = *p.projectDirectory;
  for (const auto& f : p.envFiles) options.envFiles.emplace_back(f);
  options.profiles = p.profiles;
  options.cwd = fs::current_path();
  options.environ = session.environ();
  return options;
}

std::vector<dockerapi::ContainerInfo> projectContainers(dockerapi::Engine& engine, const std::string& name) {
  std::vector<dockerapi::ContainerInfo> out;
  for (const auto& summary :
       engine.listContainers({{"label", {std::string(compose::kProjectLabel) + "=" + name}}}, true)) {
    try {
      out.push_back(engine.inspectContainer(summary.id));
    } catch (const dockerapi::EngineError& e) {
      if (e.kind() != dockerapi::ErrorKind::NotFound) throw;  // removed meanwhile
    }
  }
  return out;
}

}  // namespace

compose::Project loadProject(Session& session) {
  return compose::load(optionsFor(session));
}

compose::Stack loadStack(Session& session) {
  compose::LoadOptions options = optionsFor(session);
  dockerapi::Engine& engine = session.engine();
  compose::Project project;
  std::vector<dockerapi::ContainerInfo> containers;
  bool noFiles = options.files.empty() && !session.environ().count("COMPOSE_FILE");
  bool haveDefault = true;
  if (noFiles) {
    try {
      compose::defaultFiles(options.cwd);
    } catch (const compose::Error&) {
      haveDefault = false;
    }
  }
  if (!haveDefault) {
    if (!options.projectName) {
      throw ProjectNotFound(
          "no compose file in " + options.cwd.string() +
          " (compose.yaml, docker-compose.yml, ...): run in the project's directory, or name it "
          "with -f FILE or -p PROJECT");
    }
    containers = projectContainers(engine, *options.projectName);
    if (containers.empty()) {
      throw ProjectNotFound("no compose project \"" + *options.projectName +
                            "\": there is no compose file in " + options.cwd.string() +
                            " and no container on " + engine.endpointName() + " carries the label " +
                            compose::kProjectLabel + "=" + *options.projectName);
    }
    // Compose records where the project's files were; use them as `docker compose -p` would.
    const auto& labels = containers.front().labels;
    auto files = labels.find("com.docker.compose.project.config_files");
    auto dir = labels.find("com.docker.compose.project.working_dir");
    if (files == labels.end() || dir == labels.end()) {
      throw ProjectNotFound(
          "project \"" + *options.projectName +
          "\" has containers but they do not say where its compose files are; run in the project's "
          "directory or give -f");
    }
    options.projectDirectory = dir->second;
    for (std::size_t start = 0; start <= files->second.size();) {
      auto comma = files->second.find(',', start);
      if (comma == std::string::npos) comma = files->second.size();
      if (comma > start) options.files.push_back(files->second.substr(start, comma - start));
      start = comma + 1;
    }
    project = compose::load(options);
  } else {
    project = compose::load(options);
    containers = projectContainers(engine, project.name);
  }

  compose::EngineView view;
  view.containers = std::move(containers);
  for (const auto& [key, volume] : project.volumes) {
    try {
      view.volumes.push_back(engine.inspectVolume(volume.name));
    } catch (const dockerapi::EngineError& e) {
      if (e.kind() != dockerapi::ErrorKind::NotFound) throw;
    }
  }
  return compose::buildStack(project, view);
}

}  // namespace agentchat

namespace agentchat {

compose::Stack loadStackForRepository(Session& session) {
  try {
    return compose::buildStack(loadProject(session), {});
  } catch (const ProjectNotFound&) {
    return loadStack(session);
  }
}

}  // namespace agentchat
