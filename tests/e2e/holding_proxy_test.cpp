// The test-side proxy the kill and engine-loss tests rely on, against the real engine: it passes
// every call through untouched, fails the one it is told to with a 500 the client reports, and
// holds a request until released.
#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "dockerapi/context.hpp"
#include "dockerapi/errors.hpp"
#include "dockerapi/exec.hpp"
#include "dockerapi/http_engine.hpp"
#include "e2e_support.hpp"
#include "holding_proxy.hpp"

namespace {

std::unique_ptr<dockerapi::HttpEngine> engineAt(const std::string& host) {
  dockerapi::ConnectionOptions options;
  options.host = host;
  return std::make_unique<dockerapi::HttpEngine>(
      dockerapi::resolveEndpoint(options, dockerapi::processEnviron()).endpoint);
}

}  // namespace

TEST(HoldingProxy, PassesFailsAndHoldsChosenRequests) {
  REQUIRE_ENGINE(engine);
  auto dir = std::filesystem::temp_directory_path() / e2e::uniqueName("proxy");
  std::filesystem::create_directories(dir);
  testsupport::HoldingProxy proxy(engine.endpointName(), dir);
  auto through = engineAt(proxy.address());

  // Untouched: version, and an exec whose output streams back over the hijacked connection.
  EXPECT_EQ(through->version().engineVersion, engine.version().engineVersion);
  auto result = dockerapi::execCapture(*through, e2e::stack("BACKEND_CONTAINER"),
                                       {{"sh", "-c", "cat; echo done >&2"}, {}, {}, {}}, "fed through\n");
  EXPECT_EQ(result.out, "fed through\n");
  EXPECT_EQ(result.err, "done\n");

  // Failed once, after an inspect has passed: the client sees the engine's 500.
  proxy.failAt(R"(^GET .*/info$)", {R"(/containers/[^/]+/json$)"});
  EXPECT_NO_THROW(through->info());  // not yet: no inspect has passed
  through->inspectContainer(e2e::stack("BACKEND_CONTAINER"));
  try {
    through->info();
    ADD_FAILURE() << "the proxy did not fail /info";
  } catch (const dockerapi::EngineError& e) {
    EXPECT_EQ(e.httpStatus(), 500) << e.what();
  }
  EXPECT_NO_THROW(through->info());  // once only

  // Held until released.
  proxy.holdAt(R"(^GET .*/version$)");
  auto pending = std::async(std::launch::async, [&] { return through->version().engineVersion; });
  ASSERT_TRUE(proxy.waitHeld(std::chrono::seconds(30)));
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);
  proxy.release();
  EXPECT_EQ(pending.get(), engine.version().engineVersion);
  EXPECT_FALSE(proxy.requests().empty());
  std::filesystem::remove_all(dir);
}
