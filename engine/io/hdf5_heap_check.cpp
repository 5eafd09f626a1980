#include "io/hdf5_heap_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "io/hdf5_handle.hpp"

namespace sandan {
namespace {

// HDF5 file format specification 3.0, section III.E "Global Heap": a collection starts with the
// signature "GCOL", version 1, three reserved bytes and the collection's size (a length).
constexpr std::string_view kSignature = "GCOL";
constexpr unsigned char kVersion = 1;
// Larger than any file: a size beyond it cannot be real, and adding it to a pointer may wrap around.
constexpr std::uint64_t kAbsurdBytes = std::uint64_t{1} << 62;

// An open file read by offset, bytes past its end read as zeros (as libhdf5's sec2 driver does for an
// address below the end of allocation but past the end of the file).
class File {
 public:
  explicit File(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) fail();
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  [[nodiscard]] std::uint64_t size() const { return size_; }

  // `n` bytes at `offset` into `out`, zeros past the end of the file. Reads through a window of 1 MiB so
  // that walking a collection's objects costs few system calls.
  void read(std::uint64_t offset, std::size_t n, unsigned char* out) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t at = offset + i;
      if (at >= size_) {
        out[i] = 0;
        continue;
      }
      if (at < window_start_ || at >= window_start_ + window_.size()) fill(at);
      out[i] = window_[at - window_start_];
    }
  }

  // Reads up to buffer.size() bytes at `offset` (fewer at the end of the file); returns how many.
  std::size_t read_block(std::uint64_t offset, std::vector<unsigned char>& buffer) {
    std::size_t done = 0;
    while (done < buffer.size() && offset + done < size_) {
      const ssize_t got =
          ::pread(fd_, buffer.data() + done, buffer.size() - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) fail();
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

 private:
  void fill(std::uint64_t at) {
    window_.resize(std::size_t{1} << 20);
    window_start_ = at;
    window_.resize(read_block(at, window_));
  }
  [[noreturn]] void fail() const {
    throw Error(ErrorCode::kIo, path_ + ": cannot be read to check its global heap: " + std::strerror(errno));
  }

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::vector<unsigned char> window_;
  std::uint64_t window_start_ = 0;
};

// A little-endian unsigned number of `n` bytes; kAbsurdBytes when it does not fit in 62 bits.
std::uint64_t decode(const unsigned char* p, unsigned n) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (i >= 8) {
      if (p[i] != 0) return kAbsurdBytes;
      continue;
    }
    value |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  }
  return std::min(value, kAbsurdBytes);
}

std::uint64_t pad8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

}  // namespace

std::optional<DamagedHeap> find_damaged_global_heap(const std::string& path, std::uint64_t eoa_bytes,
                                                    unsigned length_size) {
  if (length_size == 0 || length_size > 16) return std::nullopt;  // libhdf5 refuses such a file itself
  File file(path);
  const std::uint64_t header_bytes = 8 + length_size;         // signature, version, reserved, size
  const std::uint64_t object_header_bytes = 8 + length_size;  // index, references, reserved, size
  // Collections never overlap in a file libhdf5 wrote, so all their objects together number at most
  // one per 16 bytes of the file; a hostile file of overlapping signatures is cut off there.
  std::uint64_t budget = std::min(eoa_bytes, file.size() + (std::uint64_t{1} << 20)) / 16 + 1024;

  std::vector<unsigned char> block(std::size_t{4} << 20);
  std::vector<unsigned char> bytes(16 + 8);
  for (std::uint64_t start = 0; start < file.size();) {
    const std::size_t got = file.read_block(start, block);
    if (got < kSignature.size()) break;
    const std::string_view text(reinterpret_cast<const char*>(block.data()), got);
    for (std::size_t at = text.find(kSignature); at != std::string_view::npos;
         at = text.find(kSignature, at + 1)) {
      const std::uint64_t address = start + at;
      file.read(address, header_bytes, bytes.data());
      if (bytes[4] != kVersion) continue;  // libhdf5 refuses another version with an error
      const std::uint64_t collection_bytes = decode(bytes.data() + 8, length_size);
      // libhdf5 refuses (with an error) to read a collection past the end of allocation.
      if (address >= eoa_bytes || collection_bytes > eoa_bytes - address) continue;
      for (std::uint64_t p = header_bytes;
           p < collection_bytes && collection_bytes - p >= object_header_bytes;) {
        file.read(address + p, object_header_bytes, bytes.data());
        const unsigned index = bytes[0] | (bytes[1] << 8);
        const std::uint64_t object_bytes = decode(bytes.data() + 8, length_size);
        if (object_bytes >= kAbsurdBytes) {
          return DamagedHeap{address, "object " + std::to_string(index) + " at byte " +
                                          std::to_string(address + p) + " declares a size beyond any file"};
        }
        // Objects other than the free space (index 0) are padded to 8 bytes after their header.
        const std::uint64_t step = index > 0 ? object_header_bytes + pad8(object_bytes) : object_bytes;
        if (step == 0) {
          return DamagedHeap{address,
                             "its free-space object at byte " + std::to_string(address + p) +
                                 " has size 0, on which HDF5 1.10 would read the same object forever"};
        }
        // libhdf5 leaves its loop past such an object, but H5HG_read later copies the object's stored
        // size out of the collection's buffer: a read past its end (found by fuzzing, ASan).
        if (step > collection_bytes - p) {
          return DamagedHeap{address, "object " + std::to_string(index) + " at byte " +
                                          std::to_string(address + p) + " declares " +
                                          std::to_string(object_bytes) + " bytes, more than the " +
                                          std::to_string(collection_bytes - p) + " left in its collection"};
        }
        p += step;
        if (--budget == 0) {
          return DamagedHeap{address,
                             "more global heap objects than the file has room for (overlapping collections)"};
        }
      }
    }
    if (got < block.size()) break;
    start += got - (kSignature.size() - 1);  // a signature across two blocks is found in the second
  }
  return std::nullopt;
}

void refuse_damaged_global_heap(const std::string& path, hid_t file, const std::string& what) {
  haddr_t eoa = 0;
  if (H5Fget_eoa(file, &eoa) < 0) return;  // libhdf5 could not say: it will not read the heap either
  const Handle plist(H5Fget_create_plist(file), H5Pclose);
  std::size_t address_size = 0;
  std::size_t length_size = 0;
  if (!plist.ok() || H5Pget_sizes(plist.get(), &address_size, &length_size) < 0) return;
  const auto damaged = find_damaged_global_heap(path, eoa, static_cast<unsigned>(length_size));
  if (!damaged) return;
  throw Error(ErrorCode::kBadInput,
              path + ": a damaged " + what + ": the global heap collection at byte " +
                  std::to_string(damaged->address) +
                  " (where its variable-length strings are kept) is broken: " + damaged->problem +
                  ". The file was changed or cut after it was written: write it again, or restore a copy");
}

}  // namespace sandan
