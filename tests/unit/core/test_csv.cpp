#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "core/csv.hpp"

using namespace sandan;

TEST_CASE("split_csv_record unquotes fields and keeps their spaces") {
  const auto fields = split_csv_record(R"(a, "b,c" ,"say ""hi""",)");
  REQUIRE(fields);
  CHECK(*fields == std::vector<std::string>{"a", " b,c ", "say \"hi\"", ""});
  CHECK_FALSE(split_csv_record(R"(a,"open)"));
  CHECK(split_csv_record("") == std::vector<std::string>{""});
}

TEST_CASE("read_csv skips comments and blank lines and keeps line numbers") {
  std::istringstream in("\xEF\xBB\xBFname,value\r\n# a comment\n\n   \n  # indented comment\nx,1\r\n\"y,2\n");
  const CsvFile file = read_csv(in);
  CHECK(file.line_count == 7);
  REQUIRE(file.records.size() == 3);
  CHECK(file.records[0].line == 1);
  CHECK(file.records[0].fields == std::vector<std::string>{"name", "value"});
  CHECK(file.records[1].line == 6);
  CHECK(file.records[1].fields == std::vector<std::string>{"x", "1"});
  CHECK(file.records[2].line == 7);
  CHECK(file.records[2].unbalanced_quotes);
  CHECK(file.records[2].fields.empty());
}

TEST_CASE("a byte-order mark is dropped only at the start of the file") {
  std::istringstream in(
      "a\n\xEF\xBB\xBF"
      "b\n");
  const CsvFile file = read_csv(in);
  REQUIRE(file.records.size() == 2);
  CHECK(file.records[0].fields[0] == "a");
  CHECK(file.records[1].fields[0] ==
        "\xEF\xBB\xBF"
        "b");
}

TEST_CASE("trim_blanks and parse_csv_double") {
  CHECK(trim_blanks(" \t a b \t") == "a b");
  CHECK(trim_blanks("  ").empty());
  CHECK(parse_csv_double("+1.5") == 1.5);
  CHECK(parse_csv_double("-2e3") == -2000.0);
  CHECK_FALSE(parse_csv_double(""));
  CHECK_FALSE(parse_csv_double("+"));
  CHECK_FALSE(parse_csv_double(" 1"));
  CHECK_FALSE(parse_csv_double("1x"));
  CHECK_FALSE(parse_csv_double("inf"));
}
