#pragma once
// The container a restore drill loads a dump into, with a fresh volume at each data path; both carry
// the helper label and are removed when it goes, also on failure.
#include <string>
#include <vector>

#include "dockerapi/engine.hpp"

namespace agentchat {

class Throwaway {
 public:
  // `dataPaths`: where the server keeps its data (a named volume each, so that no anonymous volume
  // of the image's VOLUME is left behind); the container has no network.
  Throwaway(dockerapi::Engine& engine, dockerapi::ContainerSpec spec,
            const std::vector<std::string>& dataPaths, const std::string& purpose);
  ~Throwaway();
  Throwaway(const Throwaway&) = delete;
  Throwaway& operator=(const Throwaway&) = delete;
  const std::string& id() const { return id_; }

 private:
  void removeAll() noexcept;

  dockerapi::Engine& engine_;
  std::vector<std::string> volumes_;
  std::string id_;
};

// 24 random hex digits: a drill's container and volume names, and its servers' one-time passwords.
std::string drillToken();

}  // namespace agentchat
