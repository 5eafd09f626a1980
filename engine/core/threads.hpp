// core/threads: the one check of a requested thread count that every command and the Python
// bindings go through (OpenMP's runtime crashes when asked for tens of thousands of threads).
#pragma once

namespace sandan {

// The most threads sandan starts: 4 × the machine's hardware threads, at most 1024.
[[nodiscard]] int max_threads();

// `requested` itself when it is 0 (the caller's default: every core) or 1..max_threads(); otherwise
// Error(kBadInput) naming the count, the bound and the fix.
int checked_threads(int requested);

}  // namespace sandan
