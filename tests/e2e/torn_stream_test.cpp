// A volume with a file that shrinks while it is read: the engine's archive stream then ends inside
// that file with HTTP 200 (seen on Engine 20.10 and 26: 6 and 7 of 30 raw GET /archive of this very
// volume). Every backup either stores a whole archive, which verify accepts, or fails saying the
// stream was torn three times and stores nothing; none looks complete with a torn part.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_support.hpp"
#include "restore_stack.hpp"

using nlohmann::json;

TEST(TornStream, AVolumeWhoseFileShrinksAsItIsReadIsStoredWholeOrNotAtAll) {
  REQUIRE_ENGINE(engine);
  e2e::RestoreStack stack(engine, {"docker-compose.churn.yml"});
  ASSERT_TRUE(stack.up()) << stack.upOutput();
  int stored = 0, refused = 0, readAgain = 0;
  for (int run = 1; run <= 12; ++run) {
    SCOPED_TRACE("backup " + std::to_string(run));
    auto backup = stack.plugin({"backup", "--json", "--only", "volumes"});
    for (std::size_t at = 0; (at = backup.err.find("reading it again", at)) != std::string::npos; ++at)
      ++readAgain;
    if (backup.exitCode != 0) {
      ++refused;
      EXPECT_NE(backup.err.find("the engine's archive stream was torn 3 times"), std::string::npos)
          << backup.err;
      continue;
    }
    ++stored;
    std::string id = json::parse(backup.out)["id"].get<std::string>();
    auto verify = stack.plugin({"verify", id});
    EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  }
  auto list = stack.plugin({"list", "--json"});
  ASSERT_EQ(list.exitCode, 0) << list.err;
  EXPECT_EQ(static_cast<int>(json::parse(list.out).size()), stored) << list.out;
  std::cout << stored << " backups stored whole, " << refused << " refused; " << readAgain
            << " torn streams read again\n";
}
