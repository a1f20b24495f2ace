#include "lister/lister_program.hpp"

extern "C" const char agentchat_lister_begin[];
extern "C" const char agentchat_lister_end[];

namespace lister {

std::string_view program() {
  return {agentchat_lister_begin, static_cast<std::size_t>(agentchat_lister_end - agentchat_lister_begin)};
}

std::string_view architecture() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#else
  return "unknown";
#endif
}

}  // namespace lister
