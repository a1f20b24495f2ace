// What scripts read from the plugin, against golden files (tests/golden/json/): the shape of every
// --json output and of a manifest (each key and its value's type; arrays as the union of their
// elements), and the exit codes of the failures the README documents. Values (ids, times, sizes)
// differ from run to run; the shape and the codes change only on purpose:
//   AGENTCHAT_GOLDEN_UPDATE=1 build/test-release/tests/e2e_tests --gtest_filter='GoldenOnEngine.*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "e2e_support.hpp"
#include "restore_stack.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Object keys that are data, not structure (a table's or a key space's name, a service's): their
// values keep a shape, their names fold into one "*".
bool keysAreData(const std::string& parent) {
  for (const char* name : {"tables", "databases", "keyspaces", "services", "rowCounts", "row_counts", "keys",
                           "columns", "checksums", "images", "volumes", "containers"})
    if (parent == name) return true;
  return false;
}

json merge(json a, const json& b);

json shapeOf(const json& value, const std::string& parent = "") {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, member] : value.items()) {
      std::string name = keysAreData(parent) ? "*" : key;
      out[name] = out.contains(name) ? merge(out[name], shapeOf(member, key)) : shapeOf(member, key);
    }
    return out;
  }
  if (value.is_array()) {
    json element;
    for (const auto& member : value)
      element = element.is_null() ? shapeOf(member, parent) : merge(element, shapeOf(member, parent));
    return json::array({element.is_null() ? json("empty") : element});
  }
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "bool";
  if (value.is_number()) return "number";
  return "null";
}

// Two shapes of the same place: objects take the union of their keys; a value that is sometimes
// absent (null) and sometimes a type keeps the type.
json merge(json a, const json& b) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, member] : b.items()) a[key] = a.contains(key) ? merge(a[key], member) : member;
    return a;
  }
  if (a.is_array() && b.is_array()) return json::array({merge(a[0], b[0])});
  if (a == "null" || a == "empty") return b;
  return a;
}

void expectGolden(const std::string& name, const json& shape) {
  fs::path file = fs::path(e2e::sourceDir()) / "tests/golden/json" / (name + ".json");
  if (std::getenv("AGENTCHAT_GOLDEN_UPDATE") != nullptr) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << shape.dump(2) << "\n";
    return;
  }
  std::ifstream in(file);
  ASSERT_TRUE(in) << file << " is missing: run with AGENTCHAT_GOLDEN_UPDATE=1";
  EXPECT_EQ(shape, json::parse(in)) << name << ": the shape changed; now\n" << shape.dump(2);
}

json parsed(const e2e::ProcessResult& run, const std::string& what) {
  EXPECT_TRUE(json::accept(run.out)) << what << " printed no JSON (exit " << run.exitCode << "): " << run.err;
  return json::accept(run.out) ? json::parse(run.out) : json();
}

}  // namespace

TEST(GoldenOnEngine, JsonOutputsManifestAndExitCodesKeepTheirShape) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.secrets.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  std::string id = stack.seedAndBackUp();
  ASSERT_FALSE(id.empty());

  json codes = json::object();
  auto record = [&](const std::string& name, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {}) {
    auto run = stack.plugin(args, env);
    codes[name] = run.exitCode;
    return run;
  };
  expectGolden("backup", shapeOf(parsed(record("backup", {"backup", "--json"}), "backup")));
  expectGolden("inspect", shapeOf(parsed(record("inspect", {"inspect", "--json"}), "inspect")));
  expectGolden("list", shapeOf(parsed(record("list", {"list", "--json"}), "list")));
  expectGolden("verify", shapeOf(parsed(record("verify", {"verify", id, "--json"}), "verify")));
  expectGolden("compat", shapeOf(parsed(record("compat", {"compat", id, "--json"}), "compat")));
  expectGolden("status", shapeOf(parsed(record("status", {"status", "--json"}), "status")));
  expectGolden("version", shapeOf(parsed(record("version", {"version", "--json"}), "version")));
  expectGolden("restore", shapeOf(parsed(record("restore", {"restore", id, "--yes", "--json"}), "restore")));
  {
    std::ifstream manifest(stack.repo() / stack.project() / id / "manifest.json");
    ASSERT_TRUE(manifest) << "no manifest for " << id;
    expectGolden("manifest", shapeOf(json::parse(manifest)));
  }

  // The failures the README's exit-code table names, each on input that cannot work.
  record("restore of a backup that does not exist", {"restore", "20000101T000000Z-nope", "--yes"});
  record("backup of a project that does not exist", {"-p", "no-such-project-here", "backup"});
  record("status with the engine gone", {"status"}, {{"DOCKER_HOST", "unix:///nonexistent/docker.sock"}});
  record("backup with the engine gone", {"backup"}, {{"DOCKER_HOST", "unix:///nonexistent/docker.sock"}});
  for (const auto& entry : fs::directory_iterator(stack.repo() / stack.project() / id)) {
    if (entry.path().filename() == "manifest.json" || !entry.is_regular_file()) continue;
    fs::resize_file(entry.path(), fs::file_size(entry.path()) / 2);
  }
  codes["verify of a corrupt part"] = stack.plugin({"verify", id}).exitCode;
  codes["restore of a corrupt backup"] = stack.plugin({"restore", id, "--yes"}).exitCode;
  codes["usage: unknown option"] = stack.plugin({"backup", "--no-such-flag"}).exitCode;
  expectGolden("exit-codes", codes);
}
