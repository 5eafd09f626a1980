#include "core/interrupt.hpp"

#include <csignal>
#include <functional>
#include <string>

#include "core/error.hpp"

namespace sandan {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void record_signal(int signal) { received = signal; }

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  // A SIGINT ignored from the start (a job started in the background by a shell) stays ignored, as
  // the shell meant it to be.
  struct sigaction previous {};
  if (sigaction(SIGINT, nullptr, &previous) == 0 && previous.sa_handler != SIG_IGN)
    sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interrupt_signal() noexcept { return static_cast<int>(received); }

void throw_if_interrupted(const std::string& where) {
  const int signal = interrupt_signal();
  if (signal == 0) return;
  const std::string name = signal == SIGINT    ? "SIGINT"
                           : signal == SIGTERM ? "SIGTERM"
                                               : std::to_string(signal);
  throw Error(ErrorCode::kInterrupted, "stopped by " + name + " " + where);
}

bool stop_asked(const std::function<bool()>& cancelled) noexcept {
  if (interrupt_signal() != 0) return true;
  try {
    return cancelled && cancelled();
  } catch (...) {
    // A callback that throws cannot say "go on": stopping is the safe reading of it.
    return true;
  }
}

void stop_if_asked(const std::function<bool()>& cancelled, const std::string& where) {
  throw_if_interrupted(where);
  if (stop_asked(cancelled)) throw Error(ErrorCode::kInterrupted, "cancelled " + where);
}

void clear_interrupt() noexcept { received = 0; }

}  // namespace sandan
