// What `schedule install` writes: the --at parsing, the systemd units, the cron lines and the
// crontab block, and reading them back for `show`; the status check of the last run.
#include <gtest/gtest.h>

#include "plugin/schedule/schedule_record.hpp"
#include "plugin/schedule/schedule_run.hpp"
#include "plugin/schedule/schedule_units.hpp"

using namespace agentchat;

TEST(ScheduleAt, AcceptsHhMmWithinTheDay) {
  EXPECT_EQ(parseTimeOfDay("02:00").text(), "02:00");
  EXPECT_EQ(parseTimeOfDay("00:00").hour, 0);
  auto last = parseTimeOfDay("23:59");
  EXPECT_EQ(last.hour, 23);
  EXPECT_EQ(last.minute, 59);
  EXPECT_EQ(TimeOfDay{}.text(), "02:00");  // the seed's nightly backup
}

TEST(ScheduleAt, RefusesAnythingElseSayingWhatIsExpected) {
  for (const char* bad :
       {"24:00", "12:60", "2:00", "02:0", "0200", "02-00", "", "ab:cd", "02:00 ", "-1:00", "99:99"}) {
    try {
      parseTimeOfDay(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("HH:MM, 00:00 to 23:59"), std::string::npos) << e.what();
    }
  }
}

TEST(ScheduleText, ShellQuotingSurvivesAnyWord) {
  EXPECT_EQ(shellCommand({"/usr/bin/docker-agentchat", "--repo", "/srv/backups", "schedule", "run"}),
            "/usr/bin/docker-agentchat --repo /srv/backups schedule run");
  EXPECT_EQ(shellQuote("it's a dir"), "'it'\\''s a dir'");
  EXPECT_EQ(shellQuote(""), "''");
  EXPECT_EQ(shellQuote("$HOME;rm -rf /"), "'$HOME;rm -rf /'");
}

TEST(ScheduleText, SystemdUnitsRunTheCommandDailyAtTheTimePersistently) {
  std::vector<std::string> argv{
      "/opt/docker-agentchat", "-f", "/srv/a b/compose.yml", "schedule", "run", "100%$x"};
  std::string service = serviceUnit("agentchat", argv);
  EXPECT_NE(service.find("Type=oneshot\n"), std::string::npos) << service;
  EXPECT_NE(
      service.find("ExecStart=\"/opt/docker-agentchat\" \"-f\" \"/srv/a b/compose.yml\" \"schedule\" \"run\" "
                   "\"100%%$$x\"\n"),
      std::string::npos)
      << service;
  std::string timer = timerUnit("agentchat", parseTimeOfDay("02:30"));
  EXPECT_NE(timer.find("OnCalendar=*-*-* 02:30:00\n"), std::string::npos) << timer;
  EXPECT_NE(timer.find("Persistent=true\n"), std::string::npos) << timer;
  EXPECT_NE(timer.find("Unit=docker-agentchat-agentchat.service\n"), std::string::npos) << timer;
  EXPECT_NE(timer.find("WantedBy=timers.target"), std::string::npos) << timer;
  auto back = parseSystemdUnits(timer, service);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at.text(), "02:30");
  EXPECT_EQ(back->command, systemdCommand(argv));
}

TEST(ScheduleText, CronLinesEscapePercentAndReadBack) {
  std::vector<std::string> argv{"/opt/docker-agentchat", "--notify-url", "http://h/x?a=1%20", "schedule",
                                "run"};
  std::string line = cronLine(parseTimeOfDay("02:05"), argv, "root");
  EXPECT_EQ(line, "5 2 * * * root /opt/docker-agentchat --notify-url 'http://h/x?a=1\\%20' schedule run");
  std::string file = cronFile("agentchat", parseTimeOfDay("02:05"), argv, "root");
  EXPECT_TRUE(file.ends_with(line + "\n")) << file;
  auto back = parseCronLine(line, true);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->at.text(), "02:05");
  EXPECT_EQ(back->command, shellCommand(argv));  // as sh -c gets it from cron
  auto userLine = parseCronLine(cronLine(parseTimeOfDay("23:59"), {"/x", "run"}), false);
  ASSERT_TRUE(userLine);
  EXPECT_EQ(userLine->command, "/x run");
  EXPECT_EQ(userLine->at.text(), "23:59");
  EXPECT_FALSE(parseCronLine("garbage", true));
}

TEST(ScheduleText, CrontabBlockIsReplacedAndRemovedLeavingTheRest) {
  std::string mine = "0 1 * * * /usr/bin/true\n";
  std::string installed = crontabWithBlock(mine, "p1", "0 2 * * * /x run");
  EXPECT_EQ(installed, mine + "# BEGIN docker-agentchat-p1\n0 2 * * * /x run\n# END docker-agentchat-p1\n");
  EXPECT_EQ(crontabBlockLine(installed, "p1"), "0 2 * * * /x run");
  EXPECT_FALSE(crontabBlockLine(installed, "p2"));
  std::string both = crontabWithBlock(installed, "p2", "0 3 * * * /y run");
  std::string again = crontabWithBlock(both, "p1", "30 4 * * * /x run");  // reinstall: replaced, not added
  EXPECT_EQ(crontabBlockLine(again, "p1"), "30 4 * * * /x run");
  EXPECT_EQ(crontabBlockLine(again, "p2"), "0 3 * * * /y run");
  EXPECT_EQ(crontabWithBlock(crontabWithBlock(again, "p1", ""), "p2", ""), mine);
  EXPECT_EQ(crontabWithBlock("", "p1", ""), "");
}

TEST(ScheduleStatus, FailedLastRunIsCriticalStaleIsWarning) {
  EXPECT_FALSE(scheduledRunCheck(std::nullopt, 1000));
  nlohmann::json failed = {{"time", "2026-11-24T02:00:00Z"},
                           {"unixTime", 1000},
                           {"exitCode", 3},
                           {"command", "backup"},
                           {"message", "cannot reach the Docker engine"}};
  auto check = scheduledRunCheck(failed, 1000);
  ASSERT_TRUE(check);
  EXPECT_EQ(check->severity, Severity::Critical);
  EXPECT_NE(check->detail.find("backup exit 3: cannot reach the Docker engine"), std::string::npos)
      << check->detail;
  nlohmann::json ok = {{"time", "t"}, {"unixTime", 1000}, {"exitCode", 0}, {"backupId", "20261124T020000Z"}};
  EXPECT_EQ(scheduledRunCheck(ok, 1000 + 3600)->severity, Severity::Ok);
  EXPECT_EQ(scheduledRunCheck(ok, 1000 + 27 * 3600)->severity, Severity::Warning);
}

// The scheduled run sees the project as the command that installed it did: files, env files and
// compose profiles pinned.
TEST(ScheduleText, TheEntryPinsTheProjectsFilesEnvFilesAndProfiles) {
  agentchat::GlobalOptions options;
  options.project.projectName = "chat";
  options.project.files = {"/srv/chat/compose.yaml"};
  options.project.envFiles = {"/srv/chat/prod.env"};
  options.project.profiles = {"search", "workers"};
  auto args = agentchat::globalArguments(options);
  auto has = [&](const std::string& flag, const std::string& value) {
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == flag && args[i + 1] == value) return true;
    return false;
  };
  EXPECT_TRUE(has("--project-name", "chat"));
  EXPECT_TRUE(has("--file", "/srv/chat/compose.yaml"));
  EXPECT_TRUE(has("--env-file", "/srv/chat/prod.env"));
  EXPECT_TRUE(has("--profile", "search"));
  EXPECT_TRUE(has("--profile", "workers"));
}
