#pragma once
// A scratch project directory per test, with helpers to write compose files and load them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "compose/error.hpp"
#include "compose/loader.hpp"

namespace compose_test {

namespace fs = std::filesystem;

class ComposeDir : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("agentchat-compose-" + std::to_string(::getpid()) + "-" +
                                         info->test_suite_name() + "-" + info->name());
    fs::remove_all(root_);
    dir_ = root_ / "My Stack.Dir";
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }

  compose::LoadOptions options(std::vector<std::string> files = {},
                               std::map<std::string, std::string> environ = {}) {
    compose::LoadOptions o;
    o.files = std::move(files);
    o.cwd = dir_;
    o.environ = std::move(environ);
    return o;
  }

  compose::Project load(std::vector<std::string> files = {},
                        std::map<std::string, std::string> environ = {}) {
    return compose::load(options(std::move(files), std::move(environ)));
  }

  // The message of the compose::Error that loading raises, or "no error".
  static std::string errorOf(const compose::LoadOptions& o) {
    try {
      compose::load(o);
    } catch (const compose::Error& e) {
      return e.what();
    }
    return "no error";
  }
  std::string errorOf(std::vector<std::string> files = {}, std::map<std::string, std::string> environ = {}) {
    return errorOf(options(std::move(files), std::move(environ)));
  }

  // A one-file project from `text` as docker-compose.yml.
  compose::Project loadText(const std::string& text, std::map<std::string, std::string> environ = {}) {
    write("docker-compose.yml", text);
    return load({}, std::move(environ));
  }
  std::string errorOfText(const std::string& text, std::map<std::string, std::string> environ = {}) {
    write("docker-compose.yml", text);
    return errorOf({}, std::move(environ));
  }

  fs::path root_;
  fs::path dir_;
};

}  // namespace compose_test
