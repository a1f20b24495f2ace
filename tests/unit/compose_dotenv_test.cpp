#include <gtest/gtest.h>

#include <map>

#include "compose/dotenv.hpp"
#include "compose/error.hpp"

namespace {

compose::Lookup vars(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
}

std::map<std::string, std::optional<std::string>> parse(const std::string& text,
                                                        std::map<std::string, std::string> env = {}) {
  std::map<std::string, std::optional<std::string>> got;
  for (const auto& e : compose::parseDotenv(text, ".env", vars(std::move(env)))) got[e.key] = e.value;
  return got;
}

std::string errorOf(const std::string& text) {
  try {
    compose::parseDotenv(text, "app.env", vars({}));
  } catch (const compose::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(ComposeDotenv, ParsesQuotesCommentsAndExport) {
  auto got = parse(
      "# comment\n\nexport A=1\nB='lit $A # not a comment'\nC=\"line\\nnext $A\"\nD=plain # comment\nE\n F = "
      "spaced \n");
  EXPECT_EQ(got["A"], "1");
  EXPECT_EQ(got["B"], "lit $A # not a comment");
  EXPECT_EQ(got["C"], "line\nnext 1");
  EXPECT_EQ(got["D"], "plain");
  EXPECT_FALSE(got["E"].has_value());
  EXPECT_EQ(got["F"], "spaced");
}

TEST(ComposeDotenv, HashWithoutSpaceBeforeItIsPartOfTheValue) {
  auto got = parse("PW=pa#ss\nX=a\t# tab comment\nY=#start\n");
  EXPECT_EQ(got["PW"], "pa#ss");
  EXPECT_EQ(got["X"], "a");
  EXPECT_EQ(got["Y"], "#start");
}

TEST(ComposeDotenv, EmptyValues) {
  auto got = parse("A=\nB=''\nC=\"\"\n");
  EXPECT_EQ(got["A"], "");
  EXPECT_EQ(got["B"], "");
  EXPECT_EQ(got["C"], "");
}

TEST(ComposeDotenv, DoubleQuoteEscapes) {
  auto got = parse(R"(A="say \"hi\"" 
B="back\\slash"
C="\$HOME stays"
D="tab\there")",
                   {{"HOME", "/root"}});
  EXPECT_EQ(got["A"], "say \"hi\"");
  EXPECT_EQ(got["B"], "back\\slash");
  EXPECT_EQ(got["C"], "$HOME stays");
  EXPECT_EQ(got["D"], "tab\there");
}

TEST(ComposeDotenv, SingleQuotesAreLiteral) {
  auto got = parse("A='$HOME \\n ${X:?no}'\n", {{"HOME", "/root"}});
  EXPECT_EQ(got["A"], "$HOME \\n ${X:?no}");
}

TEST(ComposeDotenv, QuotedValuesMaySpanLines) {
  auto got = parse("KEY=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\nLIT='a\nb'\n");
  EXPECT_EQ(got["KEY"], "-----BEGIN-----\nabc\n-----END-----");
  EXPECT_EQ(got["NEXT"], "1");
  EXPECT_EQ(got["LIT"], "a\nb");
}

TEST(ComposeDotenv, LaterLinesSeeEarlierOnesBeforeTheEnvironment) {
  auto got = parse("HOST=db\nURL=mysql://${HOST}:${PORT:-3306}/$NAME\nNAME=late\n",
                   {{"NAME", "env"}, {"HOST", "x"}});
  EXPECT_EQ(got["URL"], "mysql://db:3306/env");
}

TEST(ComposeDotenv, LaterDefinitionWins) {
  auto entries = compose::parseDotenv("A=1\nA=2\n", ".env", vars({}));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].value, "2");
}

TEST(ComposeDotenv, WindowsLineEndings) {
  auto got = parse("A=1\r\nB='two'\r\nC=\"three\"\r\n");
  EXPECT_EQ(got["A"], "1");
  EXPECT_EQ(got["B"], "two");
  EXPECT_EQ(got["C"], "three");
}

TEST(ComposeDotenv, UnterminatedQuoteNamesFileAndLine) {
  try {
    compose::parseDotenv("A=1\nB=\"open\n", "/p/.env", vars({}));
    FAIL();
  } catch (const std::exception& e) {
    EXPECT_EQ(std::string(e.what()), "/p/.env:2: B: unterminated quoted value");
  }
}

TEST(ComposeDotenv, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(errorOf("A=1\n=x\n"), "app.env:2: invalid variable name ''");
  EXPECT_EQ(errorOf("A B=1\n"), "app.env:1: invalid variable name 'A B'");
  EXPECT_EQ(errorOf("A='x' y\n"), "app.env:1: A: unexpected text after the closing quote: 'y'");
  EXPECT_EQ(errorOf("A=\"x\ny\" z\n"), "app.env:2: A: unexpected text after the closing quote: 'z'");
  EXPECT_EQ(errorOf("\n\nA=${B:?B is needed}\n"),
            "app.env:3: A: required variable B is missing a value: B is needed");
}

TEST(ComposeDotenv, LineNumbersCountLinesInsideQuotes) {
  EXPECT_EQ(errorOf("A=\"1\n2\n3\"\nB=${X\n"), "app.env:4: B: unterminated variable reference \"${X\"");
}
