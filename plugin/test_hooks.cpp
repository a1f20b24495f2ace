#include "plugin/test_hooks.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace agentchat {

namespace {

void hold() {
  const char* file = std::getenv("AGENTCHAT_TEST_HOLD");
  if (file == nullptr) return;
  std::ofstream(std::string(file) + ".reached") << "held\n";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (std::filesystem::exists(file) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace

bool faultAt(const std::string& fault, const std::string& point) {
  if (fault.empty()) return false;
  auto colon = point.find(':');
  if (fault == point.substr(0, colon + 1) + "hold:" + point.substr(colon + 1)) hold();
  return fault == point;
}

}  // namespace agentchat
