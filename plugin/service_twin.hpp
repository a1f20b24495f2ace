#pragma once
// A stand-in for a database service on another engine, before compose has created it there: a
// container from the same image, with the same environment, entrypoint and command, mounting the
// volumes of the same names, without network. It lets the plugin check (and load) what a later
// `docker compose up` will find in those volumes. Labelled as a helper; removed at scope end.
#include <string>

#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

class ServiceTwin {
 public:
  // `source` is the service's container on the source engine (its configuration is copied).
  ServiceTwin(dockerapi::Engine& engine, const compose::StackService& service,
              const dockerapi::ContainerInfo& source);
  ~ServiceTwin();
  ServiceTwin(const ServiceTwin&) = delete;
  ServiceTwin& operator=(const ServiceTwin&) = delete;

  // Starts it and waits until the service answers (as a restore waits for a started service).
  void startAndWait();
  // Stops it cleanly (the database flushes its files) before it is removed.
  void stop();
  const std::string& id() const { return id_; }

 private:
  dockerapi::Engine& engine_;
  const compose::StackService& service_;
  std::string id_;
};

}  // namespace agentchat
