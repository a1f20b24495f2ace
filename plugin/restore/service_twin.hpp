#pragma once
// A stand-in for a database service on another engine, before compose has created it there: a
// container from the same image, with the same environment, entrypoint and command, mounting the
// volumes of the same names, without network. It lets the plugin check (and load) what a later
// `docker compose up` will find in those volumes. Labelled as a helper; removed at scope end.
#include <optional>
#include <string>

#include "compose/credentials.hpp"
#include "compose/stack.hpp"
#include "dockerapi/engine.hpp"

namespace agentchat {

class ServiceTwin {
 public:
  // `container` is the service's running container on `source`: its configuration is copied, and its
  // login and the files its *_FILE variables name (compose secrets) are read there, since the
  // stand-in has no secret files of its own; the files are placed in it before it starts.
  ServiceTwin(dockerapi::Engine& target, const compose::StackService& service, dockerapi::Engine& source,
              const std::string& container);
  ~ServiceTwin();
  ServiceTwin(const ServiceTwin&) = delete;
  ServiceTwin& operator=(const ServiceTwin&) = delete;

  // Starts it and waits until the service answers (as a restore waits for a started service).
  void startAndWait();
  // Stops it cleanly (the database flushes its files) before it is removed.
  void stop();
  const std::string& id() const { return id_; }
  // The service's login, as read on the source.
  const std::optional<compose::DatabaseLogin>& login() const { return login_; }

 private:
  dockerapi::Engine& engine_;
  const compose::StackService& service_;
  std::optional<compose::DatabaseLogin> login_;
  std::string id_;
};

}  // namespace agentchat
