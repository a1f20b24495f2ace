// The HTTP(S) exchange's failures, without a server: each caller words its own message from them.
#include "base/http_client.hpp"

#include <gtest/gtest.h>

namespace {

TEST(HttpClient, RefusesSchemesOutsideTheAllowedProtocols) {
  base::HttpRequest request;
  request.url = "file:///etc/hostname";
  request.protocols = "http,https";
  auto response = base::httpExchange(request);
  EXPECT_EQ(response.failure, base::HttpFailure::Network);
  EXPECT_EQ(response.status, 0);
  EXPECT_EQ(response.error, "Unsupported protocol");  // what schedule's notification reports
  EXPECT_FALSE(response.detail.empty());              // what the S3 messages quote
}

TEST(HttpClient, NoServerIsANetworkFailure) {
  base::HttpRequest request;
  request.method = "POST";
  request.url = "http://127.0.0.1:1/";
  request.headers = {"Content-Type: application/json"};
  request.body = "{}";
  request.timeout = std::chrono::seconds(10);
  auto response = base::httpExchange(request);
  EXPECT_EQ(response.failure, base::HttpFailure::Network);
  EXPECT_EQ(response.error, "Couldn't connect to server");
}

}  // namespace
