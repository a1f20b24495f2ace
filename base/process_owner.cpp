#include "base/process_owner.hpp"

#include <unistd.h>

namespace base {

std::string hostName() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

std::string thisProcess() {
  return "pid " + std::to_string(::getpid()) + " on host " + hostName();
}

}  // namespace base
