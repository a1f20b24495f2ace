#include "plugin/backup/lister_helper.hpp"

#include "lister/lister_program.hpp"
#include "volumes/part_reader.hpp"

namespace agentchat {

dockerapi::HelperContainer startListerHelper(dockerapi::Engine& engine, const std::string& image,
                                             std::vector<dockerapi::MountSpec> mounts,
                                             const std::string& purpose, bool network,
                                             const std::function<void(const std::string&)>& created) {
  dockerapi::HelperContainer helper(engine, image, std::move(mounts), purpose, {kListerPath, "wait"},
                                    network);
  if (created) created(helper.id());
  auto program = lister::program();
  engine.putArchive(
      helper.id(), "/",
      volumes::singleFileTar(kListerPath + 1, program.size(), base::bytesSource(program), 0755));
  engine.startContainer(helper.id());
  return helper;
}

}  // namespace agentchat
