#include "base/json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::base {
namespace {

using ::testing::HasSubstr;
using Type = JsonReader::Type;

// Walks one value and writes it back compactly, strings unescaped and
// unquoted characters kept as bytes, so that tests can compare what the
// reader saw with what they expect.
absl::Status Canonical(JsonReader& reader, std::string* out) {
  absl::StatusOr<Type> type = reader.Peek();
  if (!type.ok()) return type.status();
  switch (*type) {
    case Type::kObject: {
      if (absl::Status s = reader.BeginObject(); !s.ok()) return s;
      out->push_back('{');
      absl::string_view key;
      for (bool first = true;; first = false) {
        absl::StatusOr<bool> more = reader.NextMember(&key);
        if (!more.ok()) return more.status();
        if (!*more) break;
        absl::StrAppend(out, first ? "" : ",", "<", key, ">:");
        if (absl::Status s = Canonical(reader, out); !s.ok()) return s;
      }
      out->push_back('}');
      return absl::OkStatus();
    }
    case Type::kArray: {
      if (absl::Status s = reader.BeginArray(); !s.ok()) return s;
      out->push_back('[');
      for (bool first = true;; first = false) {
        absl::StatusOr<bool> more = reader.NextElement();
        if (!more.ok()) return more.status();
        if (!*more) break;
        if (!first) out->push_back(',');
        if (absl::Status s = Canonical(reader, out); !s.ok()) return s;
      }
      out->push_back(']');
      return absl::OkStatus();
    }
    case Type::kString: {
      absl::string_view text;
      if (absl::Status s = reader.ReadString(&text); !s.ok()) return s;
      absl::StrAppend(out, "<", text, ">");
      return absl::OkStatus();
    }
    case Type::kNumber: {
      JsonNumber number;
      if (absl::Status s = reader.ReadNumber(&number); !s.ok()) return s;
      absl::StrAppend(out, number.text, number.integer ? "i" : "f");
      return absl::OkStatus();
    }
    case Type::kTrue:
    case Type::kFalse: {
      bool b;
      if (absl::Status s = reader.ReadBool(&b); !s.ok()) return s;
      out->append(b ? "true" : "false");
      return absl::OkStatus();
    }
    case Type::kNull:
      out->append("null");
      return reader.ReadNull();
  }
  return absl::InternalError("unreachable");
}

// The whole document, canonical, or the error.
absl::StatusOr<std::string> Parse(absl::string_view json) {
  JsonReader reader(json);
  std::string out;
  if (absl::Status s = Canonical(reader, &out); !s.ok()) return s;
  if (absl::Status s = reader.Finish(); !s.ok()) return s;
  return out;
}

void ExpectParses(absl::string_view json, absl::string_view canonical) {
  absl::StatusOr<std::string> got = Parse(json);
  ASSERT_TRUE(got.ok()) << json << " -> " << got.status();
  EXPECT_EQ(*got, canonical) << json;
}

// A parse error without a field, at `offset`, saying `what`.
void ExpectSyntaxError(absl::string_view json, size_t offset,
                       absl::string_view what) {
  absl::StatusOr<std::string> got = Parse(json);
  ASSERT_FALSE(got.ok()) << json << " parsed as " << *got;
  EXPECT_TRUE(IsParseError(got.status())) << got.status();
  EXPECT_EQ(ErrorField(got.status()), "") << got.status();
  EXPECT_THAT(got.status().message(),
              HasSubstr(absl::StrCat("invalid JSON at byte ", offset, ": ")))
      << json;
  EXPECT_THAT(got.status().message(), HasSubstr(what)) << json;
}

TEST(JsonReaderTest, Values) {
  ExpectParses(R"({"a":[1,-2.5,3e2,0,-0,true,false,null,"x"],"b":{}})",
               "{<a>:[1i,-2.5f,3e2f,0i,-0i,true,false,null,<x>],<b>:{}}");
  ExpectParses(" \t\r\n[ ] \n", "[]");
  ExpectParses("[[],{},[{}]]", "[[],{},[{}]]");
  ExpectParses(R"({"":""})", "{<>:<>}");
  ExpectParses("1E+2", "1E+2f");
  ExpectParses("-0.0e-0", "-0.0e-0f");
  // Scalars are values too; schema decoders decide what the top may be.
  ExpectParses("\"top\"", "<top>");
  ExpectParses("null", "null");
}

TEST(JsonReaderTest, Escapes) {
  ExpectParses(R"(["\"\\\/\b\f\n\r\t"])", "[<\"\\/\b\f\n\r\t>]");
  ExpectParses(R"(["\u0041\u00e9\u20AC"])", "[<A\xC3\xA9\xE2\x82\xAC>]");
  // A surrogate pair is one code point, four bytes of UTF-8.
  ExpectParses(R"(["\ud83d\ude00"])", "[<\xF0\x9F\x98\x80>]");
  ExpectParses(R"(["\uDBFF\uDFFF"])", "[<\xF4\x8F\xBF\xBF>]");
  // NUL is a character like any other.
  ExpectParses(R"(["a\u0000b"])", std::string("[<a\0b>]", 7));
  // Escapes in keys, and text both before and after escapes.
  ExpectParses(R"({"k\u0065y":"ab\ncd\te"})", "{<key>:<ab\ncd\te>}");
}

TEST(JsonReaderTest, RawUtf8IsKept) {
  ExpectParses("[\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"]",
               "[<\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80>]");
}

TEST(JsonReaderTest, KeysSurviveReadingStringValues) {
  JsonReader reader(R"({"k\u0031":"v\u0032"})");
  ASSERT_TRUE(reader.BeginObject().ok());
  absl::string_view key;
  ASSERT_TRUE(*reader.NextMember(&key));
  absl::string_view value;
  ASSERT_TRUE(reader.ReadString(&value).ok());
  EXPECT_EQ(key, "k1");
  EXPECT_EQ(value, "v2");
  EXPECT_FALSE(*reader.NextMember(&key));
  EXPECT_TRUE(reader.Finish().ok());
}

TEST(JsonReaderTest, SyntaxErrorsSayWhatAndWhere) {
  ExpectSyntaxError("", 0, "expected a value, got the end of the input");
  ExpectSyntaxError("   ", 3, "expected a value");
  ExpectSyntaxError("{", 1, "expected a string key or '}'");
  ExpectSyntaxError("{\"a\"", 4, "expected ':' after an object key");
  ExpectSyntaxError("{\"a\":", 5, "expected a value");
  ExpectSyntaxError("{\"a\":1", 6, "expected ',' or '}'");
  ExpectSyntaxError("{\"a\":1 x", 7, "got 'x'");
  ExpectSyntaxError("[1", 2, "expected ',' or ']'");
  ExpectSyntaxError("[1 2]", 3, "expected ',' or ']'");
  ExpectSyntaxError("{} x", 3, "expected the end of the input");
  ExpectSyntaxError("{}{}", 2, "expected the end of the input");
  ExpectSyntaxError("{\"a\":1}\x01", 7, "got byte 0x01");
  // Leniencies other parsers allow.
  ExpectSyntaxError("{\"a\":1,}", 7, "expected a string key, got '}'");
  ExpectSyntaxError("[1,]", 3, "expected a value after ','");
  ExpectSyntaxError("[,1]", 1, "expected a value, got ','");
  ExpectSyntaxError("{'a':1}", 1, "expected a string key or '}', got '''");
  ExpectSyntaxError("{a:1}", 1, "expected a string key");
  ExpectSyntaxError("[01]", 1, "leading zeros");
  ExpectSyntaxError("[-01]", 1, "leading zeros");
  ExpectSyntaxError("[+1]", 1, "expected a value, got '+'");
  ExpectSyntaxError("[.5]", 1, "expected a value, got '.'");
  ExpectSyntaxError("[5.]", 3, "expected a digit after the decimal point");
  ExpectSyntaxError("[1e]", 3, "expected a digit in the exponent");
  ExpectSyntaxError("[1e+]", 4, "expected a digit in the exponent");
  ExpectSyntaxError("[-]", 2, "expected a digit after '-'");
  ExpectSyntaxError("[NaN]", 1, "expected a value, got 'N'");
  ExpectSyntaxError("[Infinity]", 1, "expected a value");
  ExpectSyntaxError("[tru]", 1, "invalid literal; expected true");
  ExpectSyntaxError("[nul]", 1, "invalid literal; expected null");
  ExpectSyntaxError("[True]", 1, "expected a value");
  ExpectSyntaxError("/* c */ {}", 0, "expected a value, got '/'");
  ExpectSyntaxError("\xEF\xBB\xBF{}", 0, "got byte 0xef");  // BOMs are
                                                            // the caller's
}

TEST(JsonReaderTest, StringErrors) {
  ExpectSyntaxError(R"(["abc)", 1,
                    "the string starting here is not "
                    "terminated");
  ExpectSyntaxError(R"(["ab\)", 1, "not terminated");
  ExpectSyntaxError(R"(["a\x41"])", 3, "invalid escape");
  ExpectSyntaxError(R"(["\a"])", 2, "invalid escape");
  ExpectSyntaxError(R"(["\U0041"])", 2, "invalid escape");
  ExpectSyntaxError(R"(["\u00G1"])", 2, "\\u must be followed by four hex");
  ExpectSyntaxError(R"(["\u12"])", 2, "four hex digits");
  ExpectSyntaxError("[\"a\tb\"]", 3, "control character 0x09");
  ExpectSyntaxError("[\"a\nb\"]", 3, "control character 0x0a");
  ExpectSyntaxError(std::string("[\"a\0b\"]", 6), 3, "control character 0x00");
  // Surrogates: a low one alone, a high one alone or followed by anything
  // but a low one.
  ExpectSyntaxError(R"(["\ude00"])", 2, "low surrogate without a high one");
  ExpectSyntaxError(R"(["\ud83d"])", 2, "high surrogate not followed");
  ExpectSyntaxError(R"(["\ud83dx"])", 2, "high surrogate not followed");
  ExpectSyntaxError(R"(["\ud83d\u0041"])", 2, "high surrogate not followed");
  ExpectSyntaxError(R"(["\ud83d\ud83d"])", 2, "high surrogate not followed");
  ExpectSyntaxError(R"(["\ud83d\n"])", 2, "high surrogate not followed");
}

TEST(JsonReaderTest, InvalidUtf8) {
  const struct {
    std::string bytes;
    const char* what;
  } cases[] = {
      {"\xff", "invalid byte"},
      {"\x80", "lone continuation byte"},
      {"\xc3", "truncated two-byte sequence"},
      {"\xc3(", "bad continuation"},
      {"\xc0\x80", "overlong NUL"},
      {"\xc1\xbf", "overlong two-byte"},
      {"\xe0\x80\x80", "overlong three-byte"},
      {"\xed\xa0\x80", "encoded surrogate"},
      {"\xf0\x80\x80\x80", "overlong four-byte"},
      {"\xf4\x90\x80\x80", "above U+10FFFF"},
      {"\xf5\x80\x80\x80", "invalid lead byte"},
      {"\xe2\x82", "truncated three-byte sequence"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    ExpectSyntaxError(absl::StrCat("[\"ab", c.bytes, "\"]"), 4,
                      "not valid UTF-8");
    ExpectSyntaxError(absl::StrCat("{\"k", c.bytes, "\":1}"), 3,
                      "not valid UTF-8");
  }
  // The largest of each length are fine.
  ExpectParses("[\"\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf\"]",
               "[<\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf>]");
}

TEST(JsonReaderTest, NestingIsLimited) {
  const int max = JsonReader::kMaxDepth;
  std::string deep = std::string(max, '[') + std::string(max, ']');
  EXPECT_TRUE(Parse(deep).ok());
  std::string deeper = std::string(max + 1, '[') + std::string(max + 1, ']');
  ExpectSyntaxError(deeper, max, "nest deeper than 64 levels");
  std::string objects;
  for (int i = 0; i <= max; ++i) objects += "{\"a\":";
  ExpectSyntaxError(objects + "1" + std::string(max + 1, '}'),
                    static_cast<size_t>(max) * 5, "nest deeper");
  // Closing brackets give depth back.
  std::string siblings;
  for (int i = 0; i < 3 * max; ++i) siblings += "[[]],";
  EXPECT_TRUE(Parse("[" + siblings + "1]").ok());
  // Far deeper input fails the same way, without using up the stack.
  EXPECT_FALSE(Parse(std::string(1000000, '[')).ok());
}

TEST(JsonReaderTest, SkipAndPeekDoNotConsume) {
  JsonReader reader(R"( {"a":[1,{"b":"\u00e9"}],"c":null} )");
  EXPECT_EQ(*reader.Peek(), Type::kObject);
  EXPECT_EQ(*reader.Peek(), Type::kObject);
  ASSERT_TRUE(reader.Skip().ok());
  EXPECT_TRUE(reader.Finish().ok());
  EXPECT_EQ(reader.offset(), 35u);
}

TEST(JsonReaderTest, WrongTypeCallsAreErrors) {
  JsonReader reader("[1]");
  absl::string_view text;
  absl::Status s = reader.ReadString(&text);
  EXPECT_TRUE(IsParseError(s));
  EXPECT_THAT(s.message(), HasSubstr("expected a string, got '['"));
  JsonReader other("{}");
  EXPECT_THAT(other.BeginArray().message(), HasSubstr("expected '['"));
}

JsonNumber Number(absl::string_view text) {
  JsonReader reader(text);
  JsonNumber number;
  EXPECT_TRUE(reader.ReadNumber(&number).ok()) << text;
  EXPECT_TRUE(reader.Finish().ok()) << text;
  return number;
}

TEST(JsonNumberTest, ToDouble) {
  const struct {
    const char* text;
    double value;
  } cases[] = {
      {"0", 0},
      {"-1.5", -1.5},
      {"1e2", 100},
      {"1E-2", 0.01},
      {"0.1", 0.1},
      {"9007199254740993", 9007199254740992.0},  // rounds like an int64 cast
      {"123456789012345678901234567890", 1.2345678901234568e+29},
      {"1e-400", 0},  // underflow is zero
      {"4.9e-324", 4.9e-324},
      {"1.7976931348623157e308", std::numeric_limits<double>::max()},
  };
  for (const auto& c : cases) {
    double value = -1;
    EXPECT_TRUE(JsonNumberToDouble(Number(c.text), &value)) << c.text;
    EXPECT_EQ(value, c.value) << c.text;
  }
  double value;
  EXPECT_FALSE(JsonNumberToDouble(Number("1e400"), &value));
  EXPECT_FALSE(JsonNumberToDouble(Number("-1e400"), &value));
  EXPECT_FALSE(JsonNumberToDouble(Number("1.8e308"), &value));
  // An integer zero is +0, as protobuf reads it; a fractional one keeps its
  // sign.
  ASSERT_TRUE(JsonNumberToDouble(Number("-0"), &value));
  EXPECT_FALSE(std::signbit(value));
  ASSERT_TRUE(JsonNumberToDouble(Number("-0.0"), &value));
  EXPECT_TRUE(std::signbit(value));
}

TEST(JsonNumberTest, ToInt64) {
  const struct {
    const char* text;
    int64_t value;
  } cases[] = {
      {"0", 0},
      {"-0", 0},
      {"42", 42},
      {"1.0", 1},
      {"1e2", 100},
      {"1.5e3", 1500},
      {"-0.0", 0},
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<int64_t>::min()},
      // Past int64 the number is read as a double, and -2^63 is whole and
      // in range: protobuf reads it the same.
      {"-9223372036854775809", std::numeric_limits<int64_t>::min()},
      {"1e18", 1000000000000000000},
  };
  for (const auto& c : cases) {
    int64_t value = -1;
    EXPECT_TRUE(JsonNumberToInt64(Number(c.text), &value)) << c.text;
    EXPECT_EQ(value, c.value) << c.text;
  }
  for (const char* bad :
       {"1.5", "1e-300", "9223372036854775808", "9.3e18", "1e19",
        "18446744073709551616", "1e400", "-1e400", "0.1"}) {
    int64_t value;
    EXPECT_FALSE(JsonNumberToInt64(Number(bad), &value)) << bad;
  }
}

// Random bytes, and mutations and truncations of a valid document: never a
// crash or a hang, always OK or a parse error.
TEST(JsonReaderTest, FuzzNeverCrashes) {
  std::mt19937 rng(7);
  const std::string valid =
      R"({"a":[1,-2.5e3,true,false,null,"x\u00e9\ud83d\ude00\n"],)"
      R"("b":{"c":{"d":[[],{}]}},"e":"caf\u00e9 \"q\""})";
  ASSERT_TRUE(Parse(valid).ok());
  const std::string alphabet = "{}[],:\"\\u0123456789abcdefEe.-+tnrl \t\n";
  auto check = [](const std::string& input) {
    absl::StatusOr<std::string> got = Parse(input);
    if (!got.ok()) {
      EXPECT_TRUE(IsParseError(got.status())) << got.status();
    }
  };
  for (size_t n = 0; n <= valid.size(); ++n) check(valid.substr(0, n));
  for (int i = 0; i < 20000; ++i) {
    std::string input = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % input.size();
      switch (rng() % 3) {
        case 0:
          input[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          input[at] = alphabet[rng() % alphabet.size()];
          break;
        default:
          input.erase(at, 1 + rng() % 8);
          if (input.empty()) input = "{";
          break;
      }
    }
    check(input);
  }
  for (int i = 0; i < 20000; ++i) {
    std::string input(rng() % 64, '\0');
    for (char& c : input) {
      c = rng() % 2 ? alphabet[rng() % alphabet.size()]
                    : static_cast<char>(rng() % 256);
    }
    check(input);
  }
}

}  // namespace
}  // namespace motive::base
