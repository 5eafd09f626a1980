// core/error: the exceptions sandan throws at load, configuration and I/O time, with stable codes
// that the CLI maps to exit codes. Simulation loops never throw.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sandan {

// Stable error codes; the CLI exits with the code's value. Codes start at 2 so that 1 stays free
// for the shell's own "command failed".
enum class ErrorCode : int {
  kBadInput = 2,  // malformed or inconsistent input: the user can fix it
  kIo = 3,        // an output could not be written
  kInternal = 4,  // a bug in sandan
  // Stopped by SIGINT or SIGTERM (core/interrupt.hpp); the CLI exits 128 + the signal: 130 or 143.
  kInterrupted = 130,
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Bad input with every problem found, not just the first: a user fixes them in one pass.
// what() is the headline followed by one problem a line.
class ConfigError : public Error {
 public:
  ConfigError(std::string headline, std::vector<std::string> problems);
  [[nodiscard]] const std::vector<std::string>& problems() const noexcept { return problems_; }
  [[nodiscard]] const std::string& headline() const noexcept { return headline_; }

 private:
  std::string headline_;
  std::vector<std::string> problems_;
};

}  // namespace sandan
