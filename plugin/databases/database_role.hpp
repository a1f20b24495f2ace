#pragma once
// Which services the plugin backs up by their database's own means (a dump, a snapshot): the others
// are apps, held still while those run.
#include "compose/roles.hpp"

namespace agentchat {

inline bool isDatabase(compose::Role role) {
  return role == compose::Role::Mysql || role == compose::Role::Redis || role == compose::Role::Postgres;
}

}  // namespace agentchat
