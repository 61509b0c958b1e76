#include "zone/master_lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tether::zone {
namespace {

struct Lexed {
  std::vector<std::vector<std::string>> fields;  // quoted fields are shown as "..."
  std::vector<bool> blank_owner;
  std::vector<size_t> lines;
  std::string error;
  size_t error_line = 0;
};

Lexed Lex(std::string_view text) {
  Lexed out;
  MasterLexer lexer(text);
  MasterEntry entry;
  while (true) {
    Result<bool> more = lexer.Next(&entry);
    if (!more) {
      out.error = more.error().message;
      out.error_line = lexer.error_line();
      return out;
    }
    if (!*more) return out;
    std::vector<std::string> fields;
    for (const auto& token : entry.tokens) {
      fields.push_back(token.quoted ? "\"" + std::string(token.text) + "\""
                                    : std::string(token.text));
    }
    out.fields.push_back(fields);
    out.blank_owner.push_back(entry.blank_owner);
    out.lines.push_back(entry.line);
  }
}

using Fields = std::vector<std::vector<std::string>>;

TEST(MasterLexerTest, SplitsFieldsOnBlanksAndTabs) {
  EXPECT_EQ(Lex("www  3600\tIN A 192.0.2.1\n").fields,
            (Fields{{"www", "3600", "IN", "A", "192.0.2.1"}}));
}

TEST(MasterLexerTest, LastLineNeedsNoNewline) {
  EXPECT_EQ(Lex("a A 1.2.3.4\nb A 1.2.3.5").fields,
            (Fields{{"a", "A", "1.2.3.4"}, {"b", "A", "1.2.3.5"}}));
}

TEST(MasterLexerTest, CommentRunsToEndOfLine) {
  EXPECT_EQ(Lex("a A 1.2.3.4 ; the host\nb A 1.2.3.5;x\n").fields,
            (Fields{{"a", "A", "1.2.3.4"}, {"b", "A", "1.2.3.5"}}));
}

TEST(MasterLexerTest, SkipsEmptyAndCommentOnlyLines) {
  Lexed lexed = Lex("\n   \n; comment\n\t; indented comment\na A 1.2.3.4\n");
  EXPECT_EQ(lexed.fields, (Fields{{"a", "A", "1.2.3.4"}}));
  EXPECT_EQ(lexed.lines, (std::vector<size_t>{5}));
  EXPECT_EQ(lexed.blank_owner, (std::vector<bool>{false}));
}

TEST(MasterLexerTest, ParenthesesJoinLines) {
  Lexed lexed = Lex("@ SOA ns hostmaster (\n 1 ; serial\n 2 3\n 4 5 )\nnext A 1.2.3.4\n");
  EXPECT_EQ(lexed.fields, (Fields{{"@", "SOA", "ns", "hostmaster", "1", "2", "3", "4", "5"},
                                  {"next", "A", "1.2.3.4"}}));
  EXPECT_EQ(lexed.lines, (std::vector<size_t>{1, 5}));
}

TEST(MasterLexerTest, ParenthesesEndFields) {
  EXPECT_EQ(Lex("a A (1.2.3.4)\n").fields, (Fields{{"a", "A", "1.2.3.4"}}));
}

TEST(MasterLexerTest, QuotedStringIsOneFieldWithoutQuotes) {
  EXPECT_EQ(Lex("a TXT \"hello world ; not a comment ( )\" x\n").fields,
            (Fields{{"a", "TXT", "\"hello world ; not a comment ( )\"", "x"}}));
}

TEST(MasterLexerTest, EscapedQuoteStaysInsideQuotedString) {
  EXPECT_EQ(Lex(R"(a TXT "say \"hi\"")").fields, (Fields{{"a", "TXT", R"("say \"hi\"")"}}));
}

TEST(MasterLexerTest, EmptyQuotedStringIsAField) {
  EXPECT_EQ(Lex("a TXT \"\"\n").fields, (Fields{{"a", "TXT", "\"\""}}));
}

TEST(MasterLexerTest, QuoteEndsUnquotedField) {
  EXPECT_EQ(Lex("a TXT x\"y\"z\n").fields, (Fields{{"a", "TXT", "x", "\"y\"", "z"}}));
}

TEST(MasterLexerTest, EscapesAreKeptVerbatim) {
  EXPECT_EQ(Lex(R"(a\ b\;c\(d\)\"e \065\.x TXT y)").fields,
            (Fields{{R"(a\ b\;c\(d\)\"e)", R"(\065\.x)", "TXT", "y"}}));
}

TEST(MasterLexerTest, LineStartingWithBlankHasNoOwner) {
  Lexed lexed = Lex("a A 1.2.3.4\n  A 1.2.3.5\n\tTXT x\n");
  EXPECT_EQ(lexed.blank_owner, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(lexed.fields[1], (std::vector<std::string>{"A", "1.2.3.5"}));
}

TEST(MasterLexerTest, CarriageReturnIsBlank) {
  EXPECT_EQ(Lex("a A 1.2.3.4\r\nb A 1.2.3.5\r\n").fields,
            (Fields{{"a", "A", "1.2.3.4"}, {"b", "A", "1.2.3.5"}}));
}

TEST(MasterLexerTest, StrayClosingParenthesisIsError) {
  Lexed lexed = Lex("a A 1.2.3.4\nb A 1.2.3.5 )\n");
  EXPECT_EQ(lexed.error, "unbalanced parenthesis");
  EXPECT_EQ(lexed.error_line, 2u);
}

TEST(MasterLexerTest, UnclosedParenthesisNamesItsLine) {
  Lexed lexed = Lex("a A 1.2.3.4\n@ SOA ns mail (\n 1 2 3 4 5\n\nx A 1.2.3.4\n");
  EXPECT_EQ(lexed.error, "unbalanced parenthesis");
  EXPECT_EQ(lexed.error_line, 2u);
}

TEST(MasterLexerTest, NewlineInsideQuotesIsError) {
  Lexed lexed = Lex("a TXT \"abc\ndef\"\n");
  EXPECT_EQ(lexed.error, "unbalanced quotes");
  EXPECT_EQ(lexed.error_line, 1u);
}

TEST(MasterLexerTest, UnterminatedQuoteAtEndIsError) {
  EXPECT_EQ(Lex("a TXT \"abc\\\"").error, "unbalanced quotes");
}

TEST(MasterLexerTest, TrailingBackslashStaysInField) {
  EXPECT_EQ(Lex("a TXT abc\\").fields, (Fields{{"a", "TXT", "abc\\"}}));
  EXPECT_EQ(Lex("a TXT abc\\\nb A 1").fields, (Fields{{"a", "TXT", "abc\\"}, {"b", "A", "1"}}));
}

TEST(MasterLexerTest, NulBytesAreOrdinaryCharacters) {
  std::string text("a\0b A 1\n", 8);
  Lexed lexed = Lex(text);
  ASSERT_EQ(lexed.fields.size(), 1u);
  EXPECT_EQ(lexed.fields[0][0], std::string("a\0b", 3));
}

TEST(MasterLexerTest, FailedLexerStaysAtEnd) {
  MasterLexer lexer(") a A 1\n");
  MasterEntry entry;
  EXPECT_FALSE(lexer.Next(&entry).has_value());
  Result<bool> again = lexer.Next(&entry);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);
}

}  // namespace
}  // namespace tether::zone
