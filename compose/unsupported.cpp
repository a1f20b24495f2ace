#include "compose/unsupported.hpp"

#include "compose/error.hpp"
#include "compose/yaml_mark.hpp"

namespace compose {

namespace {

// The advice for all three: have compose itself resolve them into one plain file.
constexpr const char* kResolve =
    "run `docker compose config > compose.resolved.yaml` and give docker-agentchat that file with -f";

void refuseTags(const YAML::Node& node, const std::string& file, const std::string& path) {
  const std::string& tag = node.Tag();
  if (tag == "!reset" || tag == "!override") {
    throw Error(file, lineOf(node), path,
                "the merge tag " + tag +
                    " is not supported by docker-agentchat (it would read the value "
                    "as if untagged and back up the wrong configuration); " +
                    kResolve);
  }
  if (node.IsMap()) {
    for (const auto& item : node) {
      std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
      refuseTags(item.second, file, path.empty() ? key : path + "." + key);
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      refuseTags(node[i], file, path + "[" + std::to_string(i) + "]");
  }
}

}  // namespace

void refuseUnsupported(const YAML::Node& root, const std::string& file) {
  if (const YAML::Node include = root["include"]) {
    throw Error(file, lineOf(include), "include",
                "is not supported by docker-agentchat: the services of the included files would be "
                "missing from backups; list the files with -f instead (-f a.yaml -f b.yaml), or " +
                    std::string(kResolve));
  }
  if (const YAML::Node services = root["services"]; services && services.IsMap()) {
    for (const auto& item : services) {
      if (!item.second.IsMap()) continue;
      if (const YAML::Node extends = item.second["extends"]) {
        std::string name = item.first.IsScalar() ? item.first.Scalar() : "?";
        throw Error(file, lineOf(extends), "services." + name + ".extends",
                    "is not supported by docker-agentchat: what the service inherits (volumes, "
                    "environment, image) would be missing; " +
                        std::string(kResolve));
      }
    }
  }
  refuseTags(root, file, "");
}

}  // namespace compose
