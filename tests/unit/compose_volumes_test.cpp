// Service volumes (short and long syntax), top-level volumes, secrets and env_file.
#include "compose_fixture.hpp"

using compose::Mount;
using compose_test::ComposeDir;

class ComposeVolumes : public ComposeDir {
 protected:
  std::vector<Mount> mountsOf(const std::string& volumes, std::map<std::string, std::string> env = {}) {
    return loadText("services:\n  app:\n    image: a\n    volumes:\n" + volumes + "volumes:\n  data:\n",
                    std::move(env))
        .services.at("app")
        .mounts;
  }
};

TEST_F(ComposeVolumes, ShortSyntaxNamedVolume) {
  auto m = mountsOf("      - data:/var/lib/mysql\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].type, Mount::Type::Volume);
  EXPECT_EQ(m[0].source, "data");
  EXPECT_EQ(m[0].target, "/var/lib/mysql");
  EXPECT_FALSE(m[0].readOnly);
}

TEST_F(ComposeVolumes, ShortSyntaxBindPathsAreResolved) {
  auto m = mountsOf(
      "      - ./init:/init:ro\n      - ../shared:/shared:rw\n      - /srv/x:/x:ro,z\n"
      "      - ~/keys:/keys\n      - ~:/home\n      - .:/src\n",
      {{"HOME", "/home/me"}});
  ASSERT_EQ(m.size(), 6u);
  for (const auto& mount : m) EXPECT_EQ(mount.type, Mount::Type::Bind) << mount.target;
  EXPECT_EQ(m[0].source, (dir_ / "init").string());
  EXPECT_TRUE(m[0].readOnly);
  EXPECT_EQ(m[1].source, (root_ / "shared").string());
  EXPECT_FALSE(m[1].readOnly);
  EXPECT_EQ(m[2].source, "/srv/x");
  EXPECT_TRUE(m[2].readOnly);
  EXPECT_EQ(m[3].source, "/home/me/keys");
  EXPECT_EQ(m[4].source, "/home/me");
  EXPECT_EQ(m[5].source, dir_.string());
}

TEST_F(ComposeVolumes, AnonymousVolumeHasOnlyATarget) {
  auto m = mountsOf("      - /cache\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].type, Mount::Type::Volume);
  EXPECT_EQ(m[0].source, "");
  EXPECT_EQ(m[0].target, "/cache");
}

TEST_F(ComposeVolumes, LongSyntax) {
  auto m = mountsOf(
      "      - type: volume\n        source: data\n        target: /data\n        read_only: true\n"
      "      - type: bind\n        source: ./conf\n        target: /etc/app\n"
      "      - type: tmpfs\n        target: /run\n"
      "      - type: volume\n        target: /anon\n        volume: {nocopy: true}\n");
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].type, Mount::Type::Volume);
  EXPECT_TRUE(m[0].readOnly);
  EXPECT_EQ(m[1].type, Mount::Type::Bind);
  EXPECT_EQ(m[1].source, (dir_ / "conf").string());
  EXPECT_EQ(m[2].type, Mount::Type::Tmpfs);
  EXPECT_EQ(m[3].source, "");
}

TEST_F(ComposeVolumes, InterpolatedSources) {
  auto m = mountsOf("      - ${DATA_DIR:-./data}:/data\n", {{"DATA_DIR", "/mnt/big"}});
  EXPECT_EQ(m[0].source, "/mnt/big");
}

TEST_F(ComposeVolumes, InvalidEntriesNameFileLineAndIndex) {
  const std::string head = "services:\n  app:\n    image: a\n    volumes:\n";
  EXPECT_EQ(errorOfText(head + "      - /a\n      - a:b:c:d\n"),
            "docker-compose.yml:6: services.app.volumes[1]: invalid volume \"a:b:c:d\" (expected "
            "SOURCE:TARGET[:ro|rw])");
  EXPECT_EQ(errorOfText(head + "      - ./x:relative\n"),
            "docker-compose.yml:5: services.app.volumes[0]: the target \"relative\" must be an absolute path "
            "in the "
            "container");
  EXPECT_EQ(errorOfText(head + "      - type: nfs\n        target: /x\n"),
            "docker-compose.yml:5: services.app.volumes[0].type: unsupported mount type 'nfs' (volume, bind "
            "or tmpfs)");
  EXPECT_EQ(errorOfText(head + "      - type: bind\n        target: /x\n"),
            "docker-compose.yml:5: services.app.volumes[0]: a bind mount needs a source");
  EXPECT_EQ(errorOfText(head + "      - source: x\n"),
            "docker-compose.yml:5: services.app.volumes[0]: a long-syntax volume needs a target");
  EXPECT_EQ(errorOfText(head + "      - type: volume\n        target: /x\n        read_only: sometimes\n"),
            "docker-compose.yml:7: services.app.volumes[0].read_only: must be true or false");
  EXPECT_EQ(errorOfText("services:\n  app:\n    image: a\n    volumes: /x\n"),
            "docker-compose.yml:4: services.app.volumes: must be a list");
  EXPECT_EQ(
      errorOfText(head + "      - data:/data\n"),
      "docker-compose.yml:5: services.app.volumes: refers to undefined volume data; declare it under the "
      "top-level volumes:");
}

TEST_F(ComposeVolumes, TopLevelVolumeNames) {
  auto p = loadText(
      "services:\n  app: {image: a}\nvolumes:\n  plain:\n  named: {name: my-data}\n  ext: {external: true}\n"
      "  ext_named:\n    external: true\n    name: shared-${ENV_NAME}\n  legacy: {external: {name: "
      "old-style}}\n"
      "  custom: {driver: nfs, labels: [backup=yes]}\n",
      {{"ENV_NAME", "prod"}});
  EXPECT_EQ(p.volumes.at("plain").name, "mystackdir_plain");
  EXPECT_FALSE(p.volumes.at("plain").external);
  EXPECT_EQ(p.volumes.at("plain").driver, "local");
  EXPECT_EQ(p.volumes.at("named").name, "my-data");
  EXPECT_EQ(p.volumes.at("ext").name, "ext");
  EXPECT_TRUE(p.volumes.at("ext").external);
  EXPECT_EQ(p.volumes.at("ext_named").name, "shared-prod");
  EXPECT_EQ(p.volumes.at("legacy").name, "old-style");
  EXPECT_TRUE(p.volumes.at("legacy").external);
  EXPECT_EQ(p.volumes.at("custom").driver, "nfs");
  EXPECT_EQ(p.volumes.at("custom").labels.at("backup"), "yes");
  EXPECT_EQ(p.volumes.at("custom").key, "custom");
}

TEST_F(ComposeVolumes, TopLevelVolumeErrors) {
  EXPECT_EQ(errorOfText("services:\n  app: {image: a}\nvolumes:\n  v: {external: maybe}\n"),
            "docker-compose.yml:4: volumes.v.external: must be true or false");
  EXPECT_EQ(errorOfText("services:\n  app: {image: a}\nvolumes:\n  v: some-string\n"),
            "docker-compose.yml:4: volumes.v: must be a mapping (or empty)");
}

TEST_F(ComposeVolumes, SecretsFromFilesEnvironmentAndExternal) {
  auto p = loadText(
      "services:\n  db:\n    image: mysql\n    secrets: [root, {source: api, target: /etc/api.key}]\n"
      "secrets:\n  root: {file: ./secrets/root.txt}\n  abs: {file: /etc/pw}\n  api: {environment: API_KEY}\n"
      "  ext: {external: true}\n");
  EXPECT_EQ(p.secrets.at("root").file, (dir_ / "secrets/root.txt").string());
  EXPECT_EQ(p.secrets.at("abs").file, "/etc/pw");
  EXPECT_EQ(p.secrets.at("api").environment, "API_KEY");
  EXPECT_TRUE(p.secrets.at("ext").external);
  const auto& uses = p.services.at("db").secrets;
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0].source, "root");
  EXPECT_EQ(uses[0].target, "root");
  EXPECT_EQ(uses[1].target, "/etc/api.key");
  EXPECT_EQ(errorOfText("services:\n  app: {image: a}\nsecrets:\n  s: {}\n"),
            "docker-compose.yml:4: secrets.s: needs file:, environment: or external:");
}

TEST_F(ComposeVolumes, EnvFileForms) {
  write("envs/common.env", "A=1\nSHARED=common\nFROM_PROCESS\n");
  write("envs/local.env", "SHARED=local\n");
  auto p = loadText(
      "services:\n  app:\n    image: a\n    env_file:\n      - envs/common.env\n"
      "      - path: envs/local.env\n        required: true\n      - path: envs/missing.env\n        "
      "required: false\n",
      {{"FROM_PROCESS", "p"}});
  EXPECT_EQ(p.services.at("app").environment,
            (std::map<std::string, std::string>{{"A", "1"}, {"FROM_PROCESS", "p"}, {"SHARED", "local"}}));
  EXPECT_EQ(
      errorOfText("services:\n  app:\n    image: a\n    env_file: [x.env]\n"),
      "docker-compose.yml:4: services.app.env_file[0]: env file " + (dir_ / "x.env").string() + " not found");
  write("bad.env", "OK=1\nBAD LINE=2\n");
  EXPECT_EQ(errorOfText("services:\n  app:\n    image: a\n    env_file: bad.env\n"),
            (dir_ / "bad.env").string() + ":2: invalid variable name 'BAD LINE'");
}

TEST_F(ComposeVolumes, EnvironmentValuesKeepTheirTextAndBareKeysComeFromTheEnvironment) {
  auto p = loadText(
      "services:\n  app:\n    image: a\n    environment:\n      PORT: 8080\n      DEBUG: false\n      EMPTY: "
      "''\n"
      "      FROM_ENV:\n      UNSET:\n",
      {{"FROM_ENV", "x"}});
  EXPECT_EQ(p.services.at("app").environment,
            (std::map<std::string, std::string>{
                {"DEBUG", "false"}, {"EMPTY", ""}, {"FROM_ENV", "x"}, {"PORT", "8080"}}));
}

TEST_F(ComposeVolumes, DotenvFeedsInterpolationButTheProcessEnvironmentWins) {
  write(".env", "TAG=dotenv\nOTHER=only-dotenv\n");
  auto p = loadText("services:\n  app:\n    image: a:${TAG}-${OTHER}\n", {{"TAG", "process"}});
  EXPECT_EQ(p.services.at("app").image, "a:process-only-dotenv");
  EXPECT_EQ(p.env.at("TAG"), "process");
  EXPECT_EQ(p.env.at("OTHER"), "only-dotenv");
  EXPECT_EQ(p.envFiles, std::vector<std::filesystem::path>{dir_ / ".env"});
}

TEST_F(ComposeVolumes, KeysAreNotInterpolatedAndDollarDollarIsLiteral) {
  auto p =
      loadText("services:\n  app:\n    image: a\n    environment:\n      ${KEY}: v\n      PW: pa$$word\n",
               {{"KEY", "X"}});
  EXPECT_EQ(p.services.at("app").environment.count("${KEY}"), 1u);
  EXPECT_EQ(p.services.at("app").environment.at("PW"), "pa$word");
}
