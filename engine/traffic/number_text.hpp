// traffic/number_text: numbers in the traffic text formats (TNTP, the DNL case folder), read and
// written exactly (std::from_chars / std::to_chars, shortest round-trip form).
#pragma once

#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace sandan {

// The shortest text that reads back as the same double; "nan" if it cannot be written.
inline std::string number_text(double value) {
  std::array<char, 32> buffer{};
  const auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (error != std::errc{}) return "nan";
  return {buffer.data(), end};
}

// A number as written in the files: plain decimal or exponent form, an optional sign. NaN and
// infinities parse (so they can be named as such) and are rejected by the callers.
inline std::optional<double> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace sandan
