// core/csv: the tokenizer behind every hand-edited CSV file the engine reads (holidays, climate
// normals, line types). It only splits records; column meaning and checks stay with each reader, so
// each can report problems in its own terms.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sandan {

// One record of a CSV file, with the 1-based line it stands on.
struct CsvRecord {
  int line = 0;
  // Unquoted but not trimmed: readers differ in whether spaces around a field matter.
  std::vector<std::string> fields;
  // A quote opened and not closed on the line; fields then holds nothing.
  bool unbalanced_quotes = false;
};

// Splits one line into fields. Fields may be double-quoted, with "" for a quote inside (RFC 4180,
// one line a record); nullopt when a quote is left open.
std::optional<std::vector<std::string>> split_csv_record(std::string_view line);

// The records of a file and how many lines it has, for problems placed after the last record.
struct CsvFile {
  std::vector<CsvRecord> records;
  int line_count = 0;
};

// Reads every record of a stream. A trailing CR (Windows line ends) and a UTF-8 byte-order mark at
// the start (what spreadsheet programs write) are dropped; blank lines and lines whose first
// non-blank character is '#' are skipped.
CsvFile read_csv(std::istream& in);

// The text without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);

// A plain decimal number field: an optional '+', no spaces, finite; nullopt otherwise.
std::optional<double> parse_csv_double(std::string_view text);

}  // namespace sandan
