// x-agentchat: our settings inside the compose files, validated with file:line: key.path: messages.
#include "compose_fixture.hpp"

using compose_test::ComposeDir;

namespace {
const std::string kServices = "services:\n  db:\n    image: mysql\n  web:\n    image: nginx\n";
}

class ComposeSettings : public ComposeDir {
 protected:
  // Top-level x-agentchat block starts on line 6.
  std::string topError(const std::string& block) { return errorOfText(kServices + "x-agentchat:\n" + block); }
  // The db service's x-agentchat block starts on line 4.
  std::string serviceError(const std::string& block) {
    return errorOfText("services:\n  db:\n    image: mysql\n    x-agentchat:\n" + block);
  }
};

TEST_F(ComposeSettings, FullTopLevelBlockIsRead) {
  auto p = loadText(kServices + R"(x-agentchat:
  repository: /srv/backups/${STACK:-agentchat}
  retention:
    keep_last: 3
    keep_daily: 7
    keep_weekly: 4
    keep_monthly: 0
  schedule: "23:59"
  compression_level: 19
  consistency: stop
  excludes: ["*.tmp", cache/**]
  roles:
    web: none
  logs:
    web: [/var/log/nginx/access.log, /var/log/nginx/error.log]
)");
  const auto& s = p.agentchat;
  EXPECT_EQ(s.repository, "/srv/backups/agentchat");
  EXPECT_EQ(s.retention.keepLast, 3);
  EXPECT_EQ(s.retention.keepDaily, 7);
  EXPECT_EQ(s.retention.keepWeekly, 4);
  EXPECT_EQ(s.retention.keepMonthly, 0);
  EXPECT_EQ(s.schedule, "23:59");
  EXPECT_EQ(s.compressionLevel, 19);
  EXPECT_EQ(s.consistency, "stop");
  EXPECT_EQ(s.excludes, (std::vector<std::string>{"*.tmp", "cache/**"}));
  EXPECT_EQ(p.services.at("web").agentchat.role, "none");
  EXPECT_EQ(p.services.at("web").agentchat.logs.size(), 2u);
  EXPECT_FALSE(p.services.at("db").agentchat.role);
}

TEST_F(ComposeSettings, AbsentBlockMeansDefaults) {
  auto p = loadText(kServices);
  EXPECT_FALSE(p.agentchat.repository);
  EXPECT_FALSE(p.agentchat.retention.keepDaily);
  EXPECT_FALSE(p.agentchat.schedule);
  EXPECT_FALSE(p.services.at("db").agentchat.skip);
}

TEST_F(ComposeSettings, ServiceBlockIsRead) {
  auto p = loadText(R"(services:
  db:
    image: mysql
    x-agentchat:
      role: mysql
      databases: [agentchat, analytics]
      logs: [/var/log/mysql/error.log]
      excludes: ["*.ibtmp"]
      skip: false
  cache:
    image: redis
    x-agentchat: {skip: true}
)");
  const auto& db = p.services.at("db").agentchat;
  EXPECT_EQ(db.role, "mysql");
  EXPECT_EQ(db.databases, (std::vector<std::string>{"agentchat", "analytics"}));
  EXPECT_EQ(db.logs, std::vector<std::string>{"/var/log/mysql/error.log"});
  EXPECT_EQ(db.excludes, std::vector<std::string>{"*.ibtmp"});
  EXPECT_FALSE(db.skip);
  EXPECT_TRUE(p.services.at("cache").agentchat.skip);
}

TEST_F(ComposeSettings, ServiceRoleWinsOverTheShorthandAndLogsAddUp) {
  auto p = loadText(R"(services:
  db:
    image: mysql
    x-agentchat:
      role: app
      logs: [/a.log]
x-agentchat:
  roles: {db: mysql}
  logs: {db: [/b.log, /a.log]}
)");
  EXPECT_EQ(p.services.at("db").agentchat.role, "app");
  EXPECT_EQ(p.services.at("db").agentchat.logs, (std::vector<std::string>{"/a.log", "/b.log"}));
}

TEST_F(ComposeSettings, UnknownTopLevelKey) {
  EXPECT_EQ(topError("  repo: /x\n"),
            "docker-compose.yml:7: x-agentchat.repo: unknown key (known: repository, retention, schedule, "
            "compression_level, consistency, excludes, roles, logs, encrypt_to, passphrase_file, notify, "
            "metrics_file, sanity, objects)");
}

TEST_F(ComposeSettings, EncryptionSettingsTakePublicKeysAndAPassphraseFile) {
  std::string key = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
  auto p = loadText(kServices + "x-agentchat:\n  encrypt_to: [" + key +
                    "]\n  passphrase_file: secrets/backup-pass\n");
  EXPECT_EQ(p.agentchat.encryptTo, std::vector<std::string>{key});
  EXPECT_EQ(p.agentchat.passphraseFile, "secrets/backup-pass");
  EXPECT_NE(topError("  encrypt_to: [ssh-ed25519 AAAA]\n").find("must list age public keys"),
            std::string::npos);
}

TEST_F(ComposeSettings, UnknownRetentionKey) {
  EXPECT_EQ(
      topError("  retention:\n    keep_daily: 1\n    keep_dayly: 3\n"),
      "docker-compose.yml:9: x-agentchat.retention.keep_dayly: unknown key (known: keep_last, keep_daily, "
      "keep_weekly, keep_monthly)");
}

TEST_F(ComposeSettings, UnknownServiceKey) {
  EXPECT_EQ(serviceError("      roles: mysql\n"),
            "docker-compose.yml:5: services.db.x-agentchat.roles: unknown key (known: role, databases, logs, "
            "excludes, skip, hooks)");
}

TEST_F(ComposeSettings, WrongTypesAndValues) {
  EXPECT_EQ(
      topError("  retention:\n    keep_daily: -1\n"),
      "docker-compose.yml:8: x-agentchat.retention.keep_daily: must be a whole number from 0 to 100000");
  EXPECT_EQ(
      topError("  retention:\n    keep_daily: seven\n"),
      "docker-compose.yml:8: x-agentchat.retention.keep_daily: must be a whole number from 0 to 100000");
  EXPECT_EQ(topError("  retention: 7\n"), "docker-compose.yml:7: x-agentchat.retention: must be a mapping");
  EXPECT_EQ(topError("  compression_level: 20\n"),
            "docker-compose.yml:7: x-agentchat.compression_level: must be a whole number from 1 to 19");
  EXPECT_EQ(topError("  compression_level: 3.5\n"),
            "docker-compose.yml:7: x-agentchat.compression_level: must be a whole number from 1 to 19");
  EXPECT_EQ(topError("  consistency: paused\n"),
            "docker-compose.yml:7: x-agentchat.consistency: 'paused' is not one of online, stop");
  EXPECT_EQ(topError("  repository: [a, b]\n"),
            "docker-compose.yml:7: x-agentchat.repository: must be a string");
  EXPECT_EQ(topError("  repository: ''\n"),
            "docker-compose.yml:7: x-agentchat.repository: must not be empty");
  EXPECT_EQ(topError("  excludes: {a: b}\n"),
            "docker-compose.yml:7: x-agentchat.excludes: must be a list of strings");
  EXPECT_EQ(topError("  excludes: [ok, [nested]]\n"),
            "docker-compose.yml:7: x-agentchat.excludes[1]: must be a string");
  EXPECT_EQ(errorOfText(kServices + "x-agentchat: yes\n"),
            "docker-compose.yml:6: x-agentchat: must be a mapping");
}

TEST_F(ComposeSettings, ScheduleIsATimeOfDay) {
  for (const char* ok : {"00:00", "02:30", "23:59"}) {
    EXPECT_EQ(loadText(kServices + "x-agentchat:\n  schedule: \"" + ok + "\"\n").agentchat.schedule, ok);
  }
  for (const char* bad : {"24:00", "12:60", "2:30", "2am", "02:30:00", "ab:cd"}) {
    EXPECT_EQ(topError(std::string("  schedule: \"") + bad + "\"\n"),
              "docker-compose.yml:7: x-agentchat.schedule: must be a time of day as HH:MM, e.g. \"02:00\"")
        << bad;
  }
}

TEST_F(ComposeSettings, RolesAreValidatedWhereverTheyAppear) {
  EXPECT_EQ(serviceError("      role: databse\n"),
            "docker-compose.yml:5: services.db.x-agentchat.role: 'databse' is not one of app, mysql, none, "
            "postgres, "
            "redis");
  EXPECT_EQ(
      topError("  roles:\n    db: cache\n"),
      "docker-compose.yml:8: x-agentchat.roles.db: 'cache' is not one of app, mysql, none, postgres, redis");
  EXPECT_EQ(topError("  roles: [db]\n"),
            "docker-compose.yml:7: x-agentchat.roles: must map service names to roles");
  EXPECT_EQ(topError("  roles:\n    nope: app\n"),
            "docker-compose.yml:8: x-agentchat.roles.nope: no such service");
}

TEST_F(ComposeSettings, LogPathsMustBeAbsolute) {
  EXPECT_EQ(
      serviceError("      logs:\n        - /ok.log\n        - relative.log\n"),
      "docker-compose.yml:7: services.db.x-agentchat.logs[1]: 'relative.log' must be an absolute path in the "
      "container");
  EXPECT_EQ(topError("  logs:\n    db: [/ok, rel]\n"),
            "docker-compose.yml:8: x-agentchat.logs.db[1]: 'rel' must be an absolute path in the container");
  EXPECT_EQ(topError("  logs:\n    nope: [/x]\n"),
            "docker-compose.yml:8: x-agentchat.logs.nope: no such service");
}

TEST_F(ComposeSettings, SkipIsABoolean) {
  EXPECT_EQ(serviceError("      skip: 1\n"),
            "docker-compose.yml:5: services.db.x-agentchat.skip: must be true or false");
  EXPECT_TRUE(loadText("services:\n  db:\n    image: mysql\n    x-agentchat:\n      skip: True\n")
                  .services.at("db")
                  .agentchat.skip);
}

TEST_F(ComposeSettings, InterpolationHappensBeforeValidation) {
  EXPECT_EQ(loadText(kServices + "x-agentchat:\n  retention:\n    keep_daily: ${KEEP:-14}\n")
                .agentchat.retention.keepDaily,
            14);
  EXPECT_EQ(
      topError("  retention:\n    keep_daily: ${KEEP}\n"),
      "docker-compose.yml:8: x-agentchat.retention.keep_daily: must be a whole number from 0 to 100000");
}

TEST_F(ComposeSettings, ServiceErrorsOutsideXAgentchatAlsoNameTheKey) {
  EXPECT_EQ(errorOfText("services:\n  redis:\n    image: redis\n    command: {a: b}\n"),
            "docker-compose.yml:4: services.redis.command: must be a string or a list of strings");
  EXPECT_EQ(errorOfText("services:\n  redis:\n    image: redis\n    command: [redis-server, [x]]\n"),
            "docker-compose.yml:4: services.redis.command[1]: must be a string, not a list or mapping");
  EXPECT_EQ(errorOfText("services:\n  redis:\n    image: {name: redis}\n"),
            "docker-compose.yml:3: services.redis.image: must be a string, not a list or mapping");
  EXPECT_EQ(errorOfText("services:\n  redis:\n    image: redis\n    environment: [A=1, {B: 2}]\n"),
            "docker-compose.yml:4: services.redis.environment[1]: must be a string, not a list or mapping");
  EXPECT_EQ(
      errorOfText("services:\n  redis:\n    image: redis\n    depends_on: db\n"),
      "docker-compose.yml:4: services.redis.depends_on: must be a list of services or a mapping of services "
      "to conditions");
  EXPECT_EQ(errorOfText("services: [a]\n"),
            "docker-compose.yml:1: services: must be a mapping of service names");
  EXPECT_EQ(errorOfText("services:\n  a: image\n"), "docker-compose.yml:2: services.a: must be a mapping");
}

TEST_F(ComposeSettings, HooksNotifyMetricsAndSanityAreRead) {
  auto p = loadText(R"(services:
  backend:
    image: app
    x-agentchat:
      hooks:
        pre_backup:   [{command: ["sh", "-c", "app flush"], timeout: 30, on_error: fail}]
        post_backup:  [{command: "app resume --now 'a b'", on_error: warn, user: "1000"}]
        pre_restore:  []
x-agentchat:
  notify: {url: https://hc-ping.com/0f0e}
  metrics_file: /var/lib/node_exporter/textfile/agentchat.prom
  sanity: {smaller_than: 0.25, larger_than: 3}
)");
  const auto& hooks = p.services.at("backend").agentchat.hooks;
  ASSERT_EQ(hooks.preBackup.size(), 1u);
  EXPECT_EQ(hooks.preBackup[0].command, (std::vector<std::string>{"sh", "-c", "app flush"}));
  EXPECT_EQ(hooks.preBackup[0].timeoutSeconds, 30);
  EXPECT_TRUE(hooks.preBackup[0].failRun);
  ASSERT_EQ(hooks.postBackup.size(), 1u);
  EXPECT_EQ(hooks.postBackup[0].command, (std::vector<std::string>{"app", "resume", "--now", "a b"}));
  EXPECT_EQ(hooks.postBackup[0].timeoutSeconds, 60);
  EXPECT_FALSE(hooks.postBackup[0].failRun);
  EXPECT_EQ(hooks.postBackup[0].user, "1000");
  EXPECT_TRUE(hooks.preRestore.empty());
  EXPECT_EQ(p.agentchat.notifyUrl, "https://hc-ping.com/0f0e");
  EXPECT_EQ(p.agentchat.metricsFile, "/var/lib/node_exporter/textfile/agentchat.prom");
  EXPECT_DOUBLE_EQ(p.agentchat.sanity.smallerThan, 0.25);
  EXPECT_DOUBLE_EQ(p.agentchat.sanity.largerThan, 3.0);
  EXPECT_DOUBLE_EQ(loadText(kServices).agentchat.sanity.smallerThan, 0.5);  // the issue's defaults
  EXPECT_DOUBLE_EQ(loadText(kServices).agentchat.sanity.largerThan, 2.0);
}

TEST_F(ComposeSettings, BadHooksAndReportingSettingsNameTheKey) {
  EXPECT_EQ(
      serviceError("      hooks:\n        pre_backup: [{command: [app], on_error: ignore}]\n"),
      "docker-compose.yml:6: services.db.x-agentchat.hooks.pre_backup[0].on_error: 'ignore' is not one of "
      "fail, warn");
  EXPECT_EQ(serviceError("      hooks:\n        pre_backup: [{timeout: 5}]\n"),
            "docker-compose.yml:6: services.db.x-agentchat.hooks.pre_backup[0]: needs a command");
  EXPECT_EQ(serviceError("      hooks:\n        pre_bakup: []\n"),
            "docker-compose.yml:6: services.db.x-agentchat.hooks.pre_bakup: unknown key (known: pre_backup, "
            "post_backup, pre_restore, post_restore)");
  EXPECT_EQ(
      serviceError("      hooks:\n        post_restore: [{command: [a], timeout: 0}]\n"),
      "docker-compose.yml:6: services.db.x-agentchat.hooks.post_restore[0].timeout: must be a whole number "
      "from 1 to 86400");
  EXPECT_EQ(topError("  notify: {url: ftp://x}\n"),
            "docker-compose.yml:7: x-agentchat.notify.url: must be an http:// or https:// URL");
  EXPECT_NE(topError("  metrics_file: /tmp/agentchat.txt\n").find("must end in .prom"), std::string::npos);
  EXPECT_EQ(topError("  sanity: {smaller_than: 2}\n"),
            "docker-compose.yml:7: x-agentchat.sanity.smaller_than: must be a number from 0 to 1, e.g. 0.5");
}

TEST_F(ComposeSettings, ObjectSourcesAreReadInNameOrder) {
  auto p = loadText(kServices + R"(x-agentchat:
  objects:
    knowledge:
      url: s3://agentchat-kb/uploads/
      endpoint: https://s3.oss-cn-hangzhou.aliyuncs.com
      region: cn-hangzhou
      profile: oss
      referenced_by: agentchat.knowledge_file.oss_url
    avatars:
      url: s3://cdn-bucket
      endpoint: https://files.example.com
      addressing: domain
      credentials_file: secrets/cdn.ini
)");
  const auto& objects = p.agentchat.objects;
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].name, "avatars");
  EXPECT_EQ(objects[0].addressing, "domain");
  EXPECT_EQ(objects[0].credentialsFile, "secrets/cdn.ini");
  EXPECT_FALSE(objects[0].referencedBy);
  EXPECT_EQ(objects[1].name, "knowledge");
  EXPECT_EQ(objects[1].url, "s3://agentchat-kb/uploads/");
  EXPECT_EQ(objects[1].endpoint, "https://s3.oss-cn-hangzhou.aliyuncs.com");
  EXPECT_EQ(objects[1].region, "cn-hangzhou");
  EXPECT_EQ(objects[1].profile, "oss");
  EXPECT_EQ(objects[1].addressing, "auto");
  EXPECT_EQ(objects[1].referencedBy, "agentchat.knowledge_file.oss_url");
}

TEST_F(ComposeSettings, BadObjectSourcesAreRefusedAndASecretIsNeverEchoed) {
  EXPECT_NE(topError("  objects:\n    kb:\n      endpoint: https://x\n").find("needs a url"),
            std::string::npos);
  EXPECT_NE(topError("  objects:\n    kb:\n      url: oss://bucket\n").find("must be s3://"),
            std::string::npos);
  EXPECT_NE(
      topError("  objects:\n    kb:\n      url: s3://b/p\n      addressing: domain\n").find("own domain"),
      std::string::npos);
  EXPECT_NE(topError("  objects:\n    kb:\n      url: s3://b/p\n      referenced_by: table.column\n")
                .find("database.table.column"),
            std::string::npos);
  EXPECT_NE(topError("  objects:\n    'a b':\n      url: s3://b/p\n").find("letters, digits"),
            std::string::npos);
  std::string secret =
      topError("  objects:\n    kb:\n      url: s3://b/p\n      secret_key: hunter2-SECRET\n");
  EXPECT_NE(secret.find("never go in the compose file"), std::string::npos);
  EXPECT_EQ(secret.find("hunter2"), std::string::npos);
}
