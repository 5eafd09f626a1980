// core/interrupt: SIGINT and SIGTERM as a request to stop. The handler only records the signal (an
// async-signal-safe store); long commands check it between stages and between runs and unwind
// normally with Error(kInterrupted), so that temporary files are removed and a batch's finished runs
// are kept. The command line exits 128 + the signal (130 for SIGINT, 143 for SIGTERM).
#pragma once

#include <functional>
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

// Whether a long call should stop at its next stopping point: a signal was received (the command
// line's handlers) or `cancelled` (may be empty) returns true (the Python bindings set it on Ctrl-C).
// Never throws: loops that must not throw (OpenMP, simulations) ask this and skip their remaining
// work, and the caller throws with stop_if_asked() after the loop.
[[nodiscard]] bool stop_asked(const std::function<bool()>& cancelled) noexcept;

// A stopping point of a long call (between files, meters, fits, phases): throws Error(kInterrupted)
// naming the signal, or "cancelled", and `where` ("after reading the layout; nothing was written")
// when stop_asked(cancelled). The command line exits 128 + the signal; Python raises the
// KeyboardInterrupt its handler set instead.
void stop_if_asked(const std::function<bool()>& cancelled, const std::string& where);

// Forgets a received signal (tests).
void clear_interrupt() noexcept;

}  // namespace sandan
