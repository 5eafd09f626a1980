// Results files damaged in ways fuzzing found (docs/reliability.md, "Fuzzing"); the inputs are kept
// in fuzz/corpus/results.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "io/hdf5_heap_check.hpp"
#include "io/results_reader.hpp"

using namespace sandan;

namespace {

std::string error_of(const auto& read) {
  try {
    read();
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kBadInput);
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a dataset declaring more values than its file can hold is refused, not allocated") {
  // uncertainty/p50's header says 8,589,934,594 int32 values (a damaged extent) in a 21 kB file:
  // reading it asked for 64 GiB (out of memory under the sanitizers, std::bad_alloc without).
  const std::string path = std::string(SANDAN_FUZZ_CORPUS_DIR) + "/results/regress_huge_extent.h5";
  const ResultsReader reader(path);
  REQUIRE(reader.exists("uncertainty/p50"));
  const std::string expected = "the dataset uncertainty/p50 declares more values than the file can hold";
  CHECK(error_of([&] { (void)reader.numbers("uncertainty/p50"); }).find(expected) != std::string::npos);
  CHECK(error_of([&] { (void)reader.floats("uncertainty/p50"); }).find(expected) != std::string::npos);
  // The file's intact datasets still read.
  std::vector<std::size_t> dims;
  CHECK(reader.floats("runs/baseline/energy/complex_kw", &dims).size() == 8);
  CHECK(dims == std::vector<std::size_t>{2, 4});
}

TEST_CASE("a global heap collection with a free-space object of size 0 is refused, not read forever") {
  // Two mutated results files found by fuzzing: on the first libhdf5 1.10.8 never returned from
  // H5Aread of the root attribute `schema`, on the second from H5Dread of a string dataset (both inside
  // H5HG_read, decoding the collection). They are refused when opened, naming the collection.
  for (const char* name : {"regress_heap_size0_attribute.h5", "regress_heap_size0_dataset.h5"}) {
    CAPTURE(name);
    const std::string path = std::string(SANDAN_FUZZ_CORPUS_DIR) + "/results/" + name;
    const std::string message = error_of([&] { const ResultsReader reader(path); });
    CHECK(message.find(path + ": a damaged results file: the global heap collection at byte ") == 0);
    CHECK(message.find("has size 0") != std::string::npos);
    CHECK(message.find("write it again, or restore a copy") != std::string::npos);
  }
}

namespace {

// A file of `prefix` zero bytes followed by one global heap collection laid out by hand from the HDF5
// file format specification (3.0, III.E): "GCOL", version 1, 3 reserved bytes, the collection's size
// (8 bytes); then object 1 (index 2 bytes, references 2, reserved 4, size 8, its 5 data bytes padded
// to 8) and the free-space object (index 0) whose size covers the rest of the collection, header
// included: 4096 - 16 - (16 + 8) = 4056 bytes.
struct HandMadeHeap {
  std::vector<unsigned char> bytes;
  std::size_t free_size_at = 0;  // where the free-space object's size is written
};

void put(std::vector<unsigned char>& bytes, std::size_t at, std::uint64_t value, int n) {
  for (int i = 0; i < n; ++i) bytes[at + i] = static_cast<unsigned char>(value >> (8 * i));
}

HandMadeHeap hand_made_heap(std::size_t prefix) {
  HandMadeHeap heap;
  heap.bytes.assign(prefix + 4096, 0);
  const std::size_t c = prefix;
  heap.bytes[c] = 'G', heap.bytes[c + 1] = 'C', heap.bytes[c + 2] = 'O', heap.bytes[c + 3] = 'L';
  heap.bytes[c + 4] = 1;
  put(heap.bytes, c + 8, 4096, 8);
  put(heap.bytes, c + 16, 1, 2);  // object 1
  put(heap.bytes, c + 18, 1, 2);  // one reference
  put(heap.bytes, c + 24, 5, 8);  // 5 bytes of data
  for (int i = 0; i < 5; ++i) heap.bytes[c + 32 + i] = static_cast<unsigned char>('a' + i);
  // The free space starts after object 1's header (16) and its padded data (8): at byte 16 + 24 = 40.
  put(heap.bytes, c + 40, 0, 2);
  heap.free_size_at = c + 40 + 8;
  put(heap.bytes, heap.free_size_at, 4096 - 40, 8);
  return heap;
}

std::string write_bytes(const std::string& name, const std::vector<unsigned char>& bytes) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace

TEST_CASE("walking a hand-made global heap finds a size-0 free space and passes an intact one") {
  HandMadeHeap heap = hand_made_heap(1000);
  const std::string intact = write_bytes("sandan_heap_intact.bin", heap.bytes);
  CHECK_FALSE(find_damaged_global_heap(intact, heap.bytes.size(), 8).has_value());

  put(heap.bytes, heap.free_size_at, 0, 8);
  const std::string broken = write_bytes("sandan_heap_broken.bin", heap.bytes);
  const auto damaged = find_damaged_global_heap(broken, heap.bytes.size(), 8);
  REQUIRE(damaged.has_value());
  CHECK(damaged->address == 1000);
  CHECK(damaged->problem.find("at byte 1040 has size 0") != std::string::npos);

  // A collection that ends past the end of allocation is refused by libhdf5 itself with an error (it
  // never decodes it), so it is not reported.
  CHECK_FALSE(find_damaged_global_heap(broken, 1000 + 4095, 8).has_value());

  // Cut the intact file inside the collection while its end of allocation still covers it: the bytes
  // past the end of the file read as zeros, a free-space object of size 0 on which libhdf5 would loop.
  heap = hand_made_heap(1000);
  heap.bytes.resize(1000 + 40);
  const std::string cut = write_bytes("sandan_heap_cut.bin", heap.bytes);
  const auto truncated = find_damaged_global_heap(cut, 1000 + 4096, 8);
  REQUIRE(truncated.has_value());
  CHECK(truncated->problem.find("at byte 1040 has size 0") != std::string::npos);

  // Object 1 claiming 5,000 bytes where 4,096 - 16 = 4,080 are left: H5HG_read would copy 5,000 bytes
  // out of the collection's 4,096-byte buffer.
  heap = hand_made_heap(1000);
  put(heap.bytes, 1000 + 24, 5000, 8);
  const std::string oversized = write_bytes("sandan_heap_oversized.bin", heap.bytes);
  const auto too_big = find_damaged_global_heap(oversized, heap.bytes.size(), 8);
  REQUIRE(too_big.has_value());
  CHECK(too_big->problem ==
        "object 1 at byte 1016 declares 5000 bytes, more than the 4080 left in its collection");
  std::filesystem::remove(oversized);

  // A signature inside data that is not a collection of version 1 is left alone.
  heap = hand_made_heap(1000);
  heap.bytes[1004] = 2;
  put(heap.bytes, heap.free_size_at, 0, 8);
  const std::string other = write_bytes("sandan_heap_version2.bin", heap.bytes);
  CHECK_FALSE(find_damaged_global_heap(other, heap.bytes.size(), 8).has_value());
  for (const std::string& p : {intact, broken, cut, other}) std::filesystem::remove(p);
}
