// core/memory: refusing, before allocating, what cannot fit in the machine's memory. A count in an
// input (TNTP's <NUMBER OF NODES>, a layout's facilities as traffic zones, a synthetic layout's scale)
// that asks for more than the machine has is bad input named with its figure and its fix, instead of
// a process that grows until the kernel kills it.
#pragma once

#include <cstdint>
#include <string>

namespace sandan {

// The machine's physical memory in bytes, sysconf(_SC_PHYS_PAGES) × sysconf(_SC_PAGE_SIZE); 0 when the
// system does not say.
[[nodiscard]] std::uint64_t physical_memory_bytes();

// "12.3 GB", "480 MB": a byte count for a message.
[[nodiscard]] std::string bytes_text(double bytes);

// Throws Error(kBadInput) when `bytes` (an estimate of what `what` allocates) exceeds the machine's
// physical memory: "<what> needs about <bytes>, more than this machine's <memory> of memory; <fix>".
// Non-finite estimates count as too large. Nothing is checked when the memory is unknown.
void require_memory(double bytes, const std::string& what, const std::string& fix);

}  // namespace sandan
