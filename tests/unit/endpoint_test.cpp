#include "dockerapi/endpoint.hpp"

#include <gtest/gtest.h>

#include "dockerapi/errors.hpp"
#include "dockerapi/types.hpp"

using namespace dockerapi;

TEST(Endpoint, ParsesUnixSockets) {
  Endpoint e = parseHost("unix:///run/user/1000/docker.sock", false);
  EXPECT_EQ(e.kind, Endpoint::Kind::Unix);
  EXPECT_EQ(e.socketPath, "/run/user/1000/docker.sock");
  EXPECT_EQ(e.display(), "unix:///run/user/1000/docker.sock");
  EXPECT_EQ(e.baseUrl(), "http://docker");
}

TEST(Endpoint, ParsesTcpWithDefaultPorts) {
  Endpoint plain = parseHost("tcp://10.0.0.5", false);
  EXPECT_EQ(plain.host, "10.0.0.5");
  EXPECT_EQ(plain.port, 2375);
  EXPECT_EQ(plain.baseUrl(), "http://10.0.0.5:2375");
  Endpoint tls = parseHost("tcp://docker.example:2376", true);
  EXPECT_TRUE(tls.tls);
  EXPECT_EQ(tls.baseUrl(), "https://docker.example:2376");
  EXPECT_EQ(parseHost("tcp://h", true).port, 2376);
  EXPECT_EQ(parseHost("tcp://[::1]:2375", false).baseUrl(), "http://[::1]:2375");
  EXPECT_EQ(parseHost("127.0.0.1:2999", false).port, 2999);
}

TEST(Endpoint, RejectsSshAndGarbageWithAdvice) {
  try {
    parseHost("ssh://user@host", false);
    FAIL() << "ssh accepted";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("not supported yet"), std::string::npos);
  }
  EXPECT_THROW(parseHost("tcp://host:notaport", false), EngineError);
  EXPECT_THROW(parseHost("unix://", false), EngineError);
  EXPECT_THROW(parseHost("npipe:////./pipe/docker_engine", false), EngineError);
}

TEST(ApiVersion, NegotiatesTheLowerOfOursAndTheServers) {
  EXPECT_EQ(negotiateApiVersion("1.41").str(), "1.41");
  EXPECT_EQ(negotiateApiVersion("1.43").str(), "1.43");
  EXPECT_EQ(negotiateApiVersion("1.51").str(), "1.51");
  EXPECT_EQ(negotiateApiVersion("1.52").str(), kMaxApiVersion.str());
  EXPECT_EQ(negotiateApiVersion("2.0").str(), kMaxApiVersion.str());
  // 1.9 < 1.41 numerically, not as strings.
  EXPECT_THROW(negotiateApiVersion("1.9"), EngineError);
  EXPECT_THROW(negotiateApiVersion("1.40"), EngineError);
  EXPECT_THROW(negotiateApiVersion(""), EngineError);
  EXPECT_THROW(negotiateApiVersion("banana"), EngineError);
  EXPECT_LT((ApiVersion{1, 9}), (ApiVersion{1, 41}));
}
