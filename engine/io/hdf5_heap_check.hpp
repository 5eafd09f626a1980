// io/hdf5_heap_check: finds the damaged global heap collections on which libhdf5 1.10 would loop
// forever, before anything of a file is read through them (for io's and twin's readers of HDF5 files;
// like hdf5_handle.hpp it includes hdf5.h and is not part of any module's public interface).
//
// Variable-length strings (the root attribute `schema`, a run's `scenario`, the string datasets) live
// in the file's global heap, in collections that libhdf5 decodes object by object the first time one is
// read (H5HG__cache_heap_deserialize, src/H5HGcache.c). The decoder moves to the next object by the
// object's stored size; a damaged free-space object of size 0 makes it stand still, and H5Aread or
// H5Dread never return (found by fuzzing the results reader: docs/reliability.md). sandan cannot
// interrupt a call into libhdf5, so it walks the collections itself first, the way the decoder will.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sandan {

// Where a global heap collection is damaged: its address, and what is wrong.
struct DamagedHeap {
  std::uint64_t address = 0;
  std::string problem;
};

// Walks every global heap collection of the HDF5 file at `path` (any "GCOL" signature of version 1 that
// lies inside the file's end of allocation `eoa_bytes`), reading `length_size`-byte lengths (the file's
// "size of lengths", 8 for files sandan and h5py write), as libhdf5 1.10 decodes them: objects
// (index, references, reserved, size) one after the other, each of 8 + length_size header bytes and its
// data padded to 8 bytes, the free space (index 0) unpadded, bytes past the end of the file read as
// zeros. Returns the first collection on which that decoding would not move forward (an object of no
// size), would jump past the end of memory (an object size of more than 2^62 bytes) or finds an object
// larger than what is left of its collection (which H5HG_read would copy past the collection's end);
// else nothing.
// Throws Error (kIo) when the file cannot be read.
[[nodiscard]] std::optional<DamagedHeap> find_damaged_global_heap(const std::string& path,
                                                                  std::uint64_t eoa_bytes,
                                                                  unsigned length_size);

// The same for an open file: its end of allocation and size of lengths are asked of libhdf5. Throws
// Error (kBadInput) naming `path`, the collection and the problem when one is damaged; `what` names the
// kind of file in the message ("results file", "measured file").
void refuse_damaged_global_heap(const std::string& path, hid_t file, const std::string& what);

}  // namespace sandan
