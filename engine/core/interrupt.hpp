// core/interrupt: SIGINT and SIGTERM as a request to stop. The handler only records the signal (an
// async-signal-safe store); long commands check it between stages and between runs and unwind
// normally with Error(kInterrupted), so that temporary files are removed and a batch's finished runs
// are kept. The command line exits 128 + the signal (130 for SIGINT, 143 for SIGTERM).
#pragma once

#include <string>

namespace sandan {

// Installs the handlers for SIGINT and SIGTERM (the command line does it at start); a SIGINT ignored
// when the process started (a background job of a shell) stays ignored.
void install_interrupt_handlers();

// The signal received since the handlers were installed, 0 if none.
[[nodiscard]] int interrupt_signal() noexcept;

// Throws Error(kInterrupted) naming the signal and `where` ("before writing the results", ...) if a
// signal was received.
void throw_if_interrupted(const std::string& where);

// Forgets a received signal (tests).
void clear_interrupt() noexcept;

}  // namespace sandan
