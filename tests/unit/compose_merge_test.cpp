// Several -f files merged into one project, per the compose spec.
#include "compose/merge.hpp"

#include "compose_fixture.hpp"

using compose_test::ComposeDir;
namespace fs = std::filesystem;

class ComposeMerge : public ComposeDir {
 protected:
  compose::Service mergedService(const std::string& base, const std::string& overlay,
                                 const std::string& name = "app") {
    write("base.yml", base);
    write("over.yml", overlay);
    return load({"base.yml", "over.yml"}, {{"FROM_ENV", "env-value"}}).services.at(name);
  }
};

TEST_F(ComposeMerge, CommandAndEntrypointAreReplacedNotAppended) {
  auto s =
      mergedService("services:\n  app:\n    image: a\n    command: [run, --fast]\n    entrypoint: /bin/x\n",
                    "services:\n  app:\n    command: serve --port 80\n");
  EXPECT_EQ(s.command, (std::vector<std::string>{"serve", "--port", "80"}));
  EXPECT_EQ(s.entrypoint, std::vector<std::string>{"/bin/x"});
}

TEST_F(ComposeMerge, ScalarsAreReplaced) {
  auto s = mergedService("services:\n  app:\n    image: a:1\n    container_name: one\n",
                         "services:\n  app:\n    image: a:2\n");
  EXPECT_EQ(s.image, "a:2");
  EXPECT_EQ(s.containerName, "one");
}

TEST_F(ComposeMerge, EnvironmentMergesByKeyAcrossListAndMapForms) {
  auto s = mergedService("services:\n  app:\n    image: a\n    environment: [A=1, B=2, FROM_ENV]\n",
                         "services:\n  app:\n    environment:\n      B: two\n      C: 3\n");
  EXPECT_EQ(s.environment, (std::map<std::string, std::string>{
                               {"A", "1"}, {"B", "two"}, {"C", "3"}, {"FROM_ENV", "env-value"}}));
}

TEST_F(ComposeMerge, LabelsMergeByKey) {
  auto s = mergedService("services:\n  app:\n    image: a\n    labels: {tier: web, agentchat.role: app}\n",
                         "services:\n  app:\n    labels: [tier=backend, extra]\n");
  EXPECT_EQ(s.labels, (std::map<std::string, std::string>{
                          {"agentchat.role", "app"}, {"extra", ""}, {"tier", "backend"}}));
}

TEST_F(ComposeMerge, VolumesMergeByTargetKeepingOrder) {
  auto s = mergedService(
      "services:\n  app:\n    image: a\n    volumes:\n      - ./one:/one\n      - data:/data\n      - /anon\n"
      "volumes:\n  data:\n  other:\n",
      "services:\n  app:\n    volumes:\n      - type: volume\n        source: other\n        target: /data\n"
      "      - ./three:/three:ro\n");
  ASSERT_EQ(s.mounts.size(), 4u);
  EXPECT_EQ(s.mounts[0].target, "/one");
  EXPECT_EQ(s.mounts[1].target, "/data");
  EXPECT_EQ(s.mounts[1].source, "other");  // replaced in place
  EXPECT_EQ(s.mounts[2].target, "/anon");
  EXPECT_EQ(s.mounts[3].source, (dir_ / "three").string());
  EXPECT_TRUE(s.mounts[3].readOnly);
}

TEST_F(ComposeMerge, DependsOnIsAUnionOfListAndMapForms) {
  auto s = mergedService(
      "services:\n  app:\n    image: a\n    depends_on: [db]\n  db: {image: mysql}\n  cache: {image: "
      "redis}\n",
      "services:\n  app:\n    depends_on:\n      cache: {condition: service_started}\n      db: {condition: "
      "service_healthy}\n");
  EXPECT_EQ(s.dependsOn, (std::vector<std::string>{"cache", "db"}));
}

TEST_F(ComposeMerge, EnvFilesAddUpAndEnvironmentStillWins) {
  write("a.env", "A=from-a\nB=from-a\n");
  write("b.env", "B=from-b\nC=from-b\n");
  auto s =
      mergedService("services:\n  app:\n    image: a\n    env_file: a.env\n    environment: {C: explicit}\n",
                    "services:\n  app:\n    env_file: [b.env]\n");
  EXPECT_EQ(s.environment,
            (std::map<std::string, std::string>{{"A", "from-a"}, {"B", "from-b"}, {"C", "explicit"}}));
}

TEST_F(ComposeMerge, SecretsMergeByTarget) {
  auto s = mergedService(
      "services:\n  app:\n    image: a\n    secrets: [one, {source: two, target: t.txt}]\n"
      "secrets:\n  one: {file: ./1}\n  two: {file: ./2}\n  three: {file: ./3}\n",
      "services:\n  app:\n    secrets: [{source: three, target: t.txt}]\n");
  ASSERT_EQ(s.secrets.size(), 2u);
  EXPECT_EQ(s.secrets[1].source, "three");
}

TEST_F(ComposeMerge, NewServicesVolumesAndSettingsAreAdded) {
  write("base.yml",
        "services:\n  app: {image: a}\nvolumes:\n  data: {}\nx-agentchat:\n  retention: {keep_daily: 7}\n");
  write("over.yml",
        "services:\n  worker: {image: w}\nvolumes:\n  data: {name: real-data}\n  logs: {}\n"
        "x-agentchat:\n  retention: {keep_weekly: 4}\n  repository: /srv/backups\n");
  auto p = load({"base.yml", "over.yml"});
  EXPECT_EQ(p.services.size(), 2u);
  EXPECT_EQ(p.volumes.at("data").name, "real-data");
  EXPECT_EQ(p.volumes.at("logs").name, "mystackdir_logs");
  EXPECT_EQ(p.agentchat.retention.keepDaily, 7);
  EXPECT_EQ(p.agentchat.retention.keepWeekly, 4);
  EXPECT_EQ(p.agentchat.repository, "/srv/backups");
}

TEST_F(ComposeMerge, InputsAreNotModified) {
  YAML::Node base = YAML::Load("services:\n  a:\n    image: x\n    environment: [A=1]\n");
  YAML::Node over = YAML::Load("services:\n  a:\n    image: y\n    environment: {B: 2}\n");
  YAML::Node merged = compose::mergeFiles(base, over);
  EXPECT_EQ(merged["services"]["a"]["image"].Scalar(), "y");
  EXPECT_EQ(merged["services"]["a"]["environment"]["A"].Scalar(), "1");
  EXPECT_EQ(YAML::Dump(base), "services:\n  a:\n    image: x\n    environment: [A=1]");
  EXPECT_EQ(YAML::Dump(over), "services:\n  a:\n    image: y\n    environment: {B: 2}");
}

TEST_F(ComposeMerge, ErrorsFoundAfterMergingPointAtTheFileThatCausedThem) {
  write("base.yml", "services:\n  app:\n    image: a\nvolumes:\n  data:\n");
  write("over.yml", "services:\n  app:\n    volumes:\n      - data:/data\n      - missing:/m\n");
  EXPECT_EQ(
      errorOf({"base.yml", "over.yml"}),
      "over.yml:5: services.app.volumes: refers to undefined volume missing; declare it under the top-level "
      "volumes:");
  write("over.yml", "services:\n  worker:\n    command: run\n");
  EXPECT_EQ(errorOf({"base.yml", "over.yml"}),
            "over.yml:2: services.worker: has neither an image nor a build context");
  write("over.yml", "services:\n  app:\n    depends_on: [db]\n");
  EXPECT_EQ(errorOf({"base.yml", "over.yml"}),
            "over.yml:3: services.app.depends_on: depends on undefined service db");
  write("over.yml", "x-agentchat:\n  roles:\n    nope: mysql\n");
  EXPECT_EQ(errorOf({"base.yml", "over.yml"}), "over.yml:3: x-agentchat.roles.nope: no such service");
}

TEST_F(ComposeMerge, AVolumeDeclaredInAnotherFileIsFine) {
  write("base.yml", "services:\n  app:\n    image: a\n    volumes: [data:/data]\n");
  write("over.yml", "volumes:\n  data:\n    external: true\n");
  auto p = load({"base.yml", "over.yml"});
  EXPECT_TRUE(p.volumes.at("data").external);
  EXPECT_EQ(p.volumes.at("data").name, "data");
}

TEST_F(ComposeMerge, EachFileIsInterpolatedAndValidatedOnItsOwn) {
  write("base.yml", "services:\n  app:\n    image: a\n");
  write("over.yml", "services:\n  app:\n    image: b\n    x-agentchat:\n      skip: maybe\n");
  EXPECT_EQ(errorOf({"base.yml", "over.yml"}),
            "over.yml:5: services.app.x-agentchat.skip: must be true or false");
}
