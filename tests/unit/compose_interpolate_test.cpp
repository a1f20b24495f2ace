#include <gtest/gtest.h>

#include <map>

#include "compose/dotenv.hpp"
#include "compose/interpolate.hpp"

using compose::interpolate;

namespace {
compose::Lookup vars(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
}
const auto env = vars({{"A", "alpha"}, {"EMPTY", ""}, {"B", "beta"}});
}  // namespace

TEST(ComposeInterpolation, PlainAndBracedReferences) {
  EXPECT_EQ(interpolate("$A-${B}", env), "alpha-beta");
  EXPECT_EQ(interpolate("x${MISSING}y$MISSING", env), "xy");
  EXPECT_EQ(interpolate("pa$$word $$A", env), "pa$word $A");
  EXPECT_EQ(interpolate("cost: 5$", env), "cost: 5$");
  EXPECT_EQ(interpolate("$1abc", env), "$1abc");
}

TEST(ComposeInterpolation, DefaultsDistinguishEmptyFromUnset) {
  EXPECT_EQ(interpolate("${MISSING:-d}", env), "d");
  EXPECT_EQ(interpolate("${MISSING-d}", env), "d");
  EXPECT_EQ(interpolate("${EMPTY:-d}", env), "d");
  EXPECT_EQ(interpolate("${EMPTY-d}", env), "");
  EXPECT_EQ(interpolate("${A:-d}", env), "alpha");
  EXPECT_EQ(interpolate("${A:+set}${MISSING:+no}", env), "set");
}

TEST(ComposeInterpolation, NestedDefaults) {
  EXPECT_EQ(interpolate("${MISSING:-${B}}", env), "beta");
  EXPECT_EQ(interpolate("${MISSING:-${ALSO:-deep}}/x", env), "deep/x");
}

TEST(ComposeInterpolation, RequiredVariablesCarryTheMessage) {
  try {
    interpolate("${MISSING:?set MISSING in .env}", env);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("set MISSING in .env"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("MISSING"), std::string::npos);
  }
  EXPECT_THROW(interpolate("${EMPTY:?x}", env), std::invalid_argument);
  EXPECT_EQ(interpolate("${EMPTY?x}", env), "");
  EXPECT_THROW(interpolate("${MISSING?x}", env), std::invalid_argument);
}

TEST(ComposeInterpolation, MalformedReferencesAreErrors) {
  EXPECT_THROW(interpolate("${A", env), std::invalid_argument);
  EXPECT_THROW(interpolate("${}", env), std::invalid_argument);
  EXPECT_THROW(interpolate("${A:}", env), std::invalid_argument);
  EXPECT_THROW(interpolate("${A*x}", env), std::invalid_argument);
}

TEST(ComposeDotenv, ParsesQuotesCommentsAndExport) {
  auto entries = compose::parseDotenv(
      "# comment\n\nexport A=1\nB='lit $A # not a comment'\nC=\"line\\nnext $A\"\nD=plain # comment\nE\n F = "
      "spaced \n",
      ".env", vars({}));
  std::map<std::string, std::optional<std::string>> got;
  for (const auto& e : entries) got[e.key] = e.value;
  EXPECT_EQ(got["A"], "1");
  EXPECT_EQ(got["B"], "lit $A # not a comment");
  EXPECT_EQ(got["C"], "line\nnext 1");
  EXPECT_EQ(got["D"], "plain");
  EXPECT_FALSE(got["E"].has_value());
  EXPECT_EQ(got["F"], "spaced");
}

TEST(ComposeDotenv, UnterminatedQuoteNamesFileAndLine) {
  try {
    compose::parseDotenv("A=1\nB=\"open\n", "/p/.env", vars({}));
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), "/p/.env:2: B: unterminated quoted value");
  }
}
