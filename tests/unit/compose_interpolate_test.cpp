#include <gtest/gtest.h>

#include <map>

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

TEST(ComposeInterpolation, EscapedDollarInsideADefaultOpensNothing) {
  EXPECT_EQ(interpolate("${MISSING:-$${x}}", env), "${x}");
  EXPECT_EQ(interpolate("${MISSING:-a$$b}", env), "a$b");
}

TEST(ComposeInterpolation, NamesStartWithALetterOrUnderscore) {
  EXPECT_EQ(interpolate("${_A:-u}", env), "u");
  EXPECT_THROW(interpolate("${1A}", env), std::invalid_argument);
  EXPECT_EQ(interpolate("$A.b", env), "alpha.b");
  EXPECT_EQ(interpolate("$A_b", env), "");  // the name runs on: A_b is unset
}

TEST(ComposeInterpolation, UnterminatedReferenceIsNamedInTheMessage) {
  try {
    interpolate("x ${A:-y", env);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "unterminated variable reference \"${A:-y\"");
  }
}

TEST(ComposeInterpolation, RequiredWithoutMessageStillNamesTheVariable) {
  try {
    interpolate("${NEEDED:?}", env);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "required variable NEEDED is missing a value");
  }
  EXPECT_EQ(interpolate("${A:?unused}", env), "alpha");
}

TEST(ComposeInterpolation, DefaultsAreThemselvesInterpolatedOnlyWhenUsed) {
  EXPECT_EQ(interpolate("${A:-${NEEDED:?never evaluated}}", env), "alpha");
  EXPECT_THROW(interpolate("${MISSING:-${NEEDED:?x}}", env), std::invalid_argument);
}

TEST(ComposeInterpolation, TextWithoutReferencesIsUnchanged) {
  EXPECT_EQ(interpolate("", env), "");
  EXPECT_EQ(interpolate("plain {braces} and $ alone", env), "plain {braces} and $ alone");
}
