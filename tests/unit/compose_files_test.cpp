// Which compose files a project is made of: -f, COMPOSE_FILE, the default names and overrides.
#include "compose/files.hpp"

#include "compose_fixture.hpp"

using compose_test::ComposeDir;
namespace fs = std::filesystem;

namespace {
const char* kService = "services:\n  web:\n    image: nginx\n";
}

class ComposeFiles : public ComposeDir {};

TEST_F(ComposeFiles, EachDefaultNameIsFoundAlone) {
  for (const char* name : {"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write(name, kService);
    EXPECT_EQ(compose::defaultFiles(dir_), std::vector<fs::path>{dir_ / name}) << name;
  }
}

TEST_F(ComposeFiles, PreferenceOrderOfDefaultNames) {
  write("docker-compose.yml", kService);
  write("docker-compose.yaml", kService);
  EXPECT_EQ(compose::defaultFiles(dir_), std::vector<fs::path>{dir_ / "docker-compose.yaml"});
  write("compose.yml", kService);
  EXPECT_EQ(compose::defaultFiles(dir_), std::vector<fs::path>{dir_ / "compose.yml"});
  write("compose.yaml", kService);
  EXPECT_EQ(compose::defaultFiles(dir_), std::vector<fs::path>{dir_ / "compose.yaml"});
}

TEST_F(ComposeFiles, OverrideFileOfTheSameStemIsAdded) {
  write("docker-compose.yml", kService);
  write("docker-compose.override.yml", kService);
  write("compose.override.yaml", kService);  // belongs to compose.yaml, which is absent
  EXPECT_EQ(compose::defaultFiles(dir_),
            (std::vector<fs::path>{dir_ / "docker-compose.yml", dir_ / "docker-compose.override.yml"}));
  write("docker-compose.override.yaml", kService);
  EXPECT_EQ(compose::defaultFiles(dir_)[1], dir_ / "docker-compose.override.yaml");
}

TEST_F(ComposeFiles, ADirectoryWithAComposeNameIsNotAFile) {
  fs::create_directories(dir_ / "compose.yaml");
  write("docker-compose.yml", kService);
  EXPECT_EQ(compose::defaultFiles(dir_), std::vector<fs::path>{dir_ / "docker-compose.yml"});
}

TEST_F(ComposeFiles, NoDefaultFileListsTheNamesTried) {
  try {
    compose::defaultFiles(dir_);
    FAIL();
  } catch (const compose::Error& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "no compose file in " + dir_.string() +
            " (looked for compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml); run in the "
            "project's directory or name the files with -f");
  }
}

TEST_F(ComposeFiles, ExplicitFilesAreKeptInOrderAndMadeAbsolute) {
  auto none = [](const std::string&) { return std::optional<std::string>(); };
  EXPECT_EQ(compose::composeFiles({"b.yml", "./sub/../a.yml", "/abs/c.yml"}, dir_, none),
            (std::vector<fs::path>{dir_ / "b.yml", dir_ / "a.yml", "/abs/c.yml"}));
  EXPECT_THROW(compose::composeFiles({"-"}, dir_, none), compose::Error);
}

TEST_F(ComposeFiles, ComposeFileVariableAppliesWithoutDashF) {
  std::map<std::string, std::string> env{{"COMPOSE_FILE", "base.yml:prod.yml"}};
  auto lookup = [&](const std::string& k) -> std::optional<std::string> {
    return env.count(k) ? std::optional(env[k]) : std::nullopt;
  };
  EXPECT_EQ(compose::composeFiles({}, dir_, lookup),
            (std::vector<fs::path>{dir_ / "base.yml", dir_ / "prod.yml"}));
  EXPECT_EQ(compose::composeFiles({"x.yml"}, dir_, lookup), std::vector<fs::path>{dir_ / "x.yml"});
  env = {{"COMPOSE_FILE", "a.yml;b.yml"}, {"COMPOSE_PATH_SEPARATOR", ";"}};
  EXPECT_EQ(compose::composeFiles({}, dir_, lookup), (std::vector<fs::path>{dir_ / "a.yml", dir_ / "b.yml"}));
}

TEST_F(ComposeFiles, LoadUsesComposeFileFromTheEnvironmentOrDotenv) {
  write("base.yml", "services:\n  web:\n    image: nginx\n    command: a\n");
  write("prod.yml", "services:\n  web:\n    command: b\n");
  EXPECT_EQ(load({}, {{"COMPOSE_FILE", "base.yml:prod.yml"}}).services.at("web").command,
            std::vector<std::string>{"b"});
  write(".env", "COMPOSE_FILE=base.yml\n");
  auto p = load();
  EXPECT_EQ(p.files, std::vector<fs::path>{dir_ / "base.yml"});
  EXPECT_EQ(p.services.at("web").command, std::vector<std::string>{"a"});
}

TEST_F(ComposeFiles, ProjectDirectoryIsTheFirstFilesDirectory) {
  write("deploy/docker-compose.yml", "services:\n  web:\n    image: nginx\n    volumes: [./data:/data]\n");
  write("deploy/.env", "X=1\n");
  auto p = load({"deploy/docker-compose.yml"});
  EXPECT_EQ(p.workingDir, dir_ / "deploy");
  EXPECT_EQ(p.name, "deploy");
  EXPECT_EQ(p.services.at("web").mounts[0].source, (dir_ / "deploy/data").string());
  EXPECT_EQ(p.envFiles, std::vector<fs::path>{dir_ / "deploy/.env"});
}

TEST_F(ComposeFiles, ProjectDirectoryOptionMovesRelativePathsAndDotenv) {
  write("deploy/docker-compose.yml",
        "services:\n  web:\n    image: nginx:${TAG}\n    volumes: [./data:/data]\n");
  write("elsewhere/.env", "TAG=from-elsewhere\n");
  auto o = options({"deploy/docker-compose.yml"});
  o.projectDirectory = "elsewhere";
  auto p = compose::load(o);
  EXPECT_EQ(p.workingDir, dir_ / "elsewhere");
  EXPECT_EQ(p.name, "elsewhere");
  EXPECT_EQ(p.services.at("web").image, "nginx:from-elsewhere");
  EXPECT_EQ(p.services.at("web").mounts[0].source, (dir_ / "elsewhere/data").string());
}

TEST_F(ComposeFiles, EnvFileOptionReplacesDotenvAndMustExist) {
  write("docker-compose.yml", "services:\n  web:\n    image: nginx:${TAG:-none}\n");
  write(".env", "TAG=dotenv\n");
  write("prod.env", "TAG=prod\n");
  auto o = options();
  o.envFiles = {"prod.env"};
  EXPECT_EQ(compose::load(o).services.at("web").image, "nginx:prod");
  o.envFiles = {"missing.env"};
  EXPECT_EQ(errorOf(o), "missing.env: env file not found (--env-file)");
}

TEST_F(ComposeFiles, MissingExplicitFileAndEmptyFile) {
  EXPECT_EQ(errorOf({"nope.yml"}), "nope.yml: no such compose file");
  write("empty.yml", "");
  EXPECT_EQ(errorOf({"empty.yml"}), "empty.yml: the compose file is empty");
  write("list.yml", "- a\n- b\n");
  EXPECT_EQ(errorOf({"list.yml"}), "list.yml:1: a compose file must be a mapping (services: ...)");
}

TEST_F(ComposeFiles, FilesOutsideTheWorkingDirectoryAreNamedByAbsolutePath) {
  write("../other/bad.yml", "services:\n  a:\n    image: [x]\n");
  EXPECT_EQ(
      errorOf({"../other/bad.yml"}),
      (root_ / "other/bad.yml").string() + ":3: services.a.image: must be a string, not a list or mapping");
}
