#include "dockerapi/errors.hpp"

#include <gtest/gtest.h>

using namespace dockerapi;

namespace {
std::string text(const EngineError& e) {
  return e.what();
}
}  // namespace

TEST(EngineErrors, MapsStatusAndEngineMessage) {
  auto notFound =
      errorFromResponse(404, R"({"message":"No such container: mysql-1"})", "inspect container mysql-1");
  EXPECT_EQ(notFound.kind(), ErrorKind::NotFound);
  EXPECT_EQ(notFound.engineMessage(), "No such container: mysql-1");
  EXPECT_NE(text(notFound).find("inspect container mysql-1: No such container: mysql-1"), std::string::npos);
  EXPECT_NE(text(notFound).find("docker ps -a"), std::string::npos);

  auto notRunning =
      errorFromResponse(409, R"({"message":"Container 3f2a is not running"})", "run `mysqldump`");
  EXPECT_EQ(notRunning.kind(), ErrorKind::NotRunning);
  EXPECT_NE(text(notRunning).find("docker compose up -d"), std::string::npos);

  auto paused =
      errorFromResponse(409, R"({"message":"Container 3f2a is paused, unpause the container"})", "exec");
  EXPECT_EQ(paused.kind(), ErrorKind::NotRunning);

  auto conflict = errorFromResponse(409, R"({"message":"volume is in use - [abc]"})", "remove volume v");
  EXPECT_EQ(conflict.kind(), ErrorKind::Conflict);
  EXPECT_EQ(conflict.httpStatus(), 409);

  EXPECT_EQ(errorFromResponse(400, R"({"message":"bad parameter"})", "x").kind(), ErrorKind::BadRequest);
  EXPECT_EQ(errorFromResponse(403, "{}", "x").kind(), ErrorKind::Forbidden);
  EXPECT_EQ(errorFromResponse(500, R"({"message":"boom"})", "x").kind(), ErrorKind::Server);
}

TEST(EngineErrors, ToleratesNonJsonBodies) {
  auto e = errorFromResponse(502, "Bad Gateway\n", "list containers");
  EXPECT_EQ(e.kind(), ErrorKind::Server);
  EXPECT_EQ(e.engineMessage(), "Bad Gateway");
  auto empty = errorFromResponse(500, "", "list containers");
  EXPECT_NE(text(empty).find("no details"), std::string::npos);
}

TEST(EngineErrors, UnreachableNamesTheEndpointAndWhatToDo) {
  auto e = unreachableError("unix:///var/run/docker.sock", "Couldn't connect to server");
  EXPECT_EQ(e.kind(), ErrorKind::Unreachable);
  EXPECT_NE(text(e).find("unix:///var/run/docker.sock"), std::string::npos);
  EXPECT_NE(text(e).find("Is the Docker engine running?"), std::string::npos);
  EXPECT_NE(text(e).find("--context"), std::string::npos);
}
