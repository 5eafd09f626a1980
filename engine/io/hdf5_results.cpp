#include "io/hdf5_results.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <omp.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <tuple>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/interrupt.hpp"
#include "core/threads.hpp"
#include "io/hdf5_handle.hpp"
#include "io/hdf5_heap_check.hpp"
#include "scenario/kpi_catalogue.hpp"

#ifndef SANDAN_VERSION
#define SANDAN_VERSION "unknown"
#endif

namespace sandan {
namespace {

namespace fs = std::filesystem;

// HDF5 closes every file left open when the process exits (H5_term_library, registered with atexit
// when the library starts). After a write that failed for want of room (a full disk, a file-size
// limit) HDF5 1.10 cannot close that file: H5Fclose fails, and the close at exit then crashes in
// H5F__close_cb. sandan closes what it opens itself, and removes a failed file's temporary, so the
// library is told not to close anything at exit. This runs before main (and before any HDF5 call of
// this process); where HDF5 has already started (a Python process that imported h5py first) it has no
// effect.
[[maybe_unused]] const bool kNoHdf5CloseAtExit = [] {
  (void)H5dont_atexit();
  return true;
}();

// Why a write may have failed, from errno, for the message: a full disk or a file-size limit.
std::string room_hint() {
  const int error = errno;
  if (error == EFBIG) {
    return " (" + std::string(std::strerror(error)) +
           ": the file reached this process's file-size limit, ulimit -f; raise it or write less)";
  }
  if (error == ENOSPC || error == EDQUOT)
    return " (" + std::string(std::strerror(error)) + ": free some space or write elsewhere)";
  return "";
}

// The bytes that may still be written to a file in `folder`: the space free to this user there and
// the process's file-size limit (RLIMIT_FSIZE), the smaller; nullopt if neither is known.
std::optional<double> room_in(const fs::path& folder, std::string& which) {
  std::optional<double> room;
  struct statvfs disk {};
  if (::statvfs(folder.c_str(), &disk) == 0) {
    room = static_cast<double>(disk.f_bavail) * static_cast<double>(disk.f_frsize);
    which = "free on its disk";
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
      (!room || static_cast<double>(limit.rlim_cur) < *room)) {
    room = static_cast<double>(limit.rlim_cur);
    which = "the largest file this process may write (ulimit -f)";
  }
  return room;
}

std::string megabytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  return text;
}

// Compression: shuffle + deflate level 1. Hourly float32 series of noisy loads compress only ~2x,
// and level 1 writes several times faster than the default 6 for nearly the same size.
constexpr unsigned kDeflateLevel = 1;
// A byte plane whose bytes carry more than this (order-0 entropy, bits a byte) is stored: deflate
// would gain at most 1 − 7.5 / 8 ≈ 6 % on it, at the cost of searching it for matches (measured in
// bench/RESULTS.md, "Writing results").
constexpr double kStoredPlaneBits = 7.5;

// Order-0 entropy of a byte plane, bits a byte, estimated from at most 64 Ki bytes spread evenly
// over it (enough to tell noise, ≈8 bits, from the few bits of exponents), counted into four
// histograms in turn so that consecutive equal bytes do not wait on one counter.
double entropy_bits(const unsigned char* bytes, std::size_t count) {
  constexpr std::size_t kSamples = 1U << 16;
  const std::size_t step = std::max<std::size_t>(1, count / kSamples);
  std::array<std::array<std::uint32_t, 256>, 4> histograms{};
  std::size_t sampled = 0;
  for (std::size_t i = 0; i < count; i += step, ++sampled) ++histograms[sampled & 3U][bytes[i]];
  double bits = 0.0;
  for (std::size_t v = 0; v < 256; ++v) {
    const std::size_t n = histograms[0][v] + histograms[1][v] + histograms[2][v] + histograms[3][v];
    if (n == 0) continue;
    const double p = static_cast<double>(n) / static_cast<double>(sampled);
    bits -= p * std::log2(p);
  }
  return bits;
}

// Whether two series hold the same bits. A few thousand values spread over them are compared first:
// series that share long runs of zeros (the batteries and export of facilities with neither) then
// differ within microseconds instead of after megabytes.
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  constexpr std::size_t kSamples = 4096;
  const std::size_t step = std::max<std::size_t>(1, a.size() / kSamples);
  for (std::size_t i = 0; i < a.size(); i += step) {
    if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) return false;
  }
  return std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Runs fn(i) for every i in [0, n) on up to `threads` threads. std::thread rather than OpenMP: a
// batch writes its runs from inside the runner's parallel region, where an OpenMP region nested in
// it would get one thread, and compressing a run's series on one core would hold up the batch.
template <typename F>
void parallel_for(std::size_t n, int threads, const F& fn) {
  const std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, threads)));
  std::atomic<std::size_t> next{0};
  const auto work = [&]() {
    for (std::size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> helpers;
  helpers.reserve(workers > 0 ? workers - 1 : 0);
  for (std::size_t w = 1; w < workers; ++w) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

// Buffers of one chunk being filtered, kept from chunk to chunk: a megabyte chunk in fresh memory
// costs its page faults and zeroing again every time.
struct ChunkBuffers {
  std::vector<unsigned char> shuffled;
  std::vector<unsigned char> packed;
  std::size_t size = 0;  // bytes of `packed` in use; 0: the chunk is not written
};

// One chunk filtered as HDF5's shuffle and deflate filters would: `count` values (the rest of the
// chunk's `chunk_values` is padding, the fill value 0), byte b of every value together, then one
// zlib stream, into `buffers.packed`. With `store_random_planes` each byte plane is either stored
// (when its entropy is near 8 bits: the low mantissa bytes of noisy series) or deflated with level
// 1 and run-length matches (exponents and high mantissa bytes, mostly runs), switching with
// deflateParams inside the one stream: still a plain zlib stream any inflater reads, at a fraction
// of the time.
bool pack_chunk(const float* values, std::size_t count, std::size_t chunk_values, bool store_random_planes,
                ChunkBuffers& buffers) {
  constexpr std::size_t kPlanes = sizeof(float);
  const std::size_t chunk_bytes = chunk_values * kPlanes;
  std::vector<unsigned char>& shuffled = buffers.shuffled;
  shuffled.resize(chunk_bytes);
  if (count < chunk_values) std::fill(shuffled.begin(), shuffled.end(), 0);
  const auto* bytes = reinterpret_cast<const unsigned char*>(values);
  for (std::size_t b = 0; b < kPlanes; ++b) {
    unsigned char* plane = shuffled.data() + b * chunk_values;
    for (std::size_t i = 0; i < count; ++i) plane[i] = bytes[i * kPlanes + b];
  }
  std::vector<unsigned char>& out = buffers.packed;
  if (!store_random_planes) {
    uLongf size = compressBound(static_cast<uLong>(chunk_bytes));
    out.resize(size);
    const int status = compress2(out.data(), &size, shuffled.data(), static_cast<uLong>(chunk_bytes),
                                 static_cast<int>(kDeflateLevel));
    buffers.size = size;
    return status == Z_OK;
  }
  z_stream stream{};
  const int level = static_cast<int>(kDeflateLevel);
  if (deflateInit2(&stream, level, Z_DEFLATED, MAX_WBITS, 8, Z_RLE) != Z_OK) return false;
  // Stored blocks add 5 bytes in 64 KiB and a switch of level ends a block: the bound of level 1
  // with a margin covers both.
  out.resize(deflateBound(&stream, static_cast<uLong>(chunk_bytes)) + 64 * kPlanes);
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  int current = level;
  bool ok = true;
  for (std::size_t b = 0; b < kPlanes && ok; ++b) {
    unsigned char* plane = shuffled.data() + b * chunk_values;
    const int wanted = entropy_bits(plane, chunk_values) > kStoredPlaneBits ? 0 : level;
    if (wanted != current) {
      ok = deflateParams(&stream, wanted, Z_RLE) == Z_OK;
      current = wanted;
    }
    stream.next_in = plane;
    stream.avail_in = static_cast<uInt>(chunk_values);
    const int status = deflate(&stream, b + 1 == kPlanes ? Z_FINISH : Z_NO_FLUSH);
    ok = ok && (b + 1 == kPlanes ? status == Z_STREAM_END : status == Z_OK && stream.avail_in == 0);
  }
  buffers.size = stream.total_out;
  deflateEnd(&stream);
  return ok;
}

class Writer {
 public:
  explicit Writer(std::string path, SeriesStorage options = {}) : path_(std::move(path)), options_(options) {}

  hid_t check(hid_t id, const std::string& what) const {
    if (id < 0) throw Error(ErrorCode::kIo, path_ + ": HDF5 could not " + what + room_hint());
    return id;
  }
  void check(herr_t status, const std::string& what, int) const {
    if (status < 0) throw Error(ErrorCode::kIo, path_ + ": HDF5 could not " + what + room_hint());
  }

  Handle group(hid_t parent, const std::string& name) {
    Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "create a property list"), H5Pclose);
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    return {
        check(H5Gcreate2(parent, name.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), "create group " + name),
        H5Gclose};
  }

  static Handle utf8_string_type() {
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    return {type, H5Tclose};
  }

  void attr(hid_t loc, const std::string& name, const std::string& value) {
    Handle type = utf8_string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    const char* data = value.c_str();
    check(H5Awrite(a.get(), type.get(), &data), "write attribute " + name, 0);
  }

  void attr(hid_t loc, const std::string& name, double value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value), "write attribute " + name, 0);
  }

  void attr(hid_t loc, const std::string& name, long long value) {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    Handle a(check(H5Acreate2(loc, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                   "create attribute " + name),
             H5Aclose);
    check(H5Awrite(a.get(), H5T_NATIVE_LLONG, &value), "write attribute " + name, 0);
  }

  Handle strings(hid_t loc, const std::string& name, const std::vector<std::string>& values) {
    Handle type = utf8_string_type();
    const std::array<hsize_t, 1> dims{values.size()};
    Handle space(H5Screate_simple(1, dims.data(), nullptr), H5Sclose);
    Handle ds(
        check(H5Dcreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "create dataset " + name),
        H5Dclose);
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& v : values) pointers.push_back(v.c_str());
    if (!values.empty()) {
      check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "write " + name,
            0);
    }
    return ds;
  }

  template <typename T>
  Handle numbers(hid_t loc, const std::string& name, const std::vector<T>& values, hid_t file_type,
                 hid_t mem_type) {
    const std::array<hsize_t, 1> dims{values.size()};
    Handle space(H5Screate_simple(1, dims.data(), nullptr), H5Sclose);
    Handle ds(
        check(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              "create dataset " + name),
        H5Dclose);
    if (!values.empty()) {
      check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + name, 0);
    }
    return ds;
  }

  // An n-dimensional dataset, chunked and compressed by HDF5's own filters when it is large.
  template <typename T>
  Handle array(hid_t loc, const std::string& name, const std::vector<T>& values,
               const std::vector<hsize_t>& dims, hid_t file_type, hid_t mem_type) {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create a property list"), H5Pclose);
    if (values.size() > 4096) {
      // Chunks of whole trailing dimensions, about a megabyte each.
      std::vector<hsize_t> chunk(dims);
      std::size_t volume = values.size();
      for (std::size_t d = 0; d + 1 < chunk.size() && volume * sizeof(T) > (1U << 20); ++d) {
        volume /= chunk[d];
        chunk[d] = 1;
      }
      H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
      H5Pset_shuffle(dcpl.get());
      H5Pset_deflate(dcpl.get(), kDeflateLevel);
    }
    Handle ds(
        check(H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
              "create dataset " + name),
        H5Dclose);
    if (!values.empty()) {
      check(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + name, 0);
    }
    return ds;
  }

  // The hourly series written into one group, so that a later series equal to one of them, or all
  // zero, is not compressed and written again (SeriesStorage::deduplicate).
  struct SeriesGroup {
    std::string path;  // the group's absolute path, for the virtual datasets' mappings
    struct Stored {
      std::string name;
      const std::vector<float>* values;
      std::size_t rows;
      bool zero;           // no chunk written: a series equal to it is all zero too, and is written as such
      std::string target;  // the dataset its values are in: "" for itself, else another run's
    };
    // The same group of the batch's run whose series this run shares bit for bit (the first run of
    // the batch that took the same energy year): non-zero series map onto it. Empty: none.
    std::string run_source;
    std::vector<Stored> stored;
    std::vector<std::string> zero;
    std::vector<std::pair<std::string, std::string>> same_as;  // (series, the series it equals)
  };

  SeriesGroup series_group(const Handle& group) const {
    char buffer[1024];
    const ssize_t n = H5Iget_name(group.get(), buffer, sizeof buffer);
    if (n <= 0 || static_cast<std::size_t>(n) >= sizeof buffer)
      throw Error(ErrorCode::kIo, path_ + ": HDF5 could not name a group");
    return {std::string(buffer, static_cast<std::size_t>(n)), {}, {}, {}, {}};
  }

  // Records in the group's attribute `deduplicated` what was not stored (docs/results-schema.md):
  // {"zero": [series whose every value is 0, no chunk written], "same_as": {series: series it equals}}.
  void deduplicated(const Handle& group, const SeriesGroup& series) {
    if (!options_.deduplicate) return;
    nlohmann::json record = {{"zero", series.zero}, {"same_as", nlohmann::json::object()}};
    for (const auto& [name, original] : series.same_as) record["same_as"][name] = original;
    attr(group.get(), "deduplicated", record.dump());
  }

  // A chunked, compressed float32 [rows × hours] dataset; with deduplication, a virtual dataset
  // when the same values were written before in `series` (rows × hours of them, bit for bit).
  Handle matrix(hid_t loc, const std::string& name, const std::vector<float>& values, std::size_t rows,
                std::size_t hours, const std::string& units, const std::string& long_name,
                SeriesGroup* series = nullptr) {
    const std::array<hsize_t, 2> dims{rows, hours};
    Handle space(H5Screate_simple(2, dims.data(), nullptr), H5Sclose);
    Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create a property list"), H5Pclose);
    const SeriesGroup::Stored* same = nullptr;
    if (series != nullptr && options_.deduplicate && !values.empty()) {
      for (const auto& s : series->stored) {
        if (!s.zero && s.rows == rows && same_bits(*s.values, values)) {
          same = &s;
          break;
        }
      }
    }
    // The source of a virtual dataset: an equal series of this group (or where that one's values
    // are), else the same series of the run this run shares its series with, unless all zero (that
    // costs nothing to store). A source is always a stored dataset, never another virtual one.
    std::string source;
    if (same != nullptr) {
      source = same->target.empty() ? series->path + "/" + same->name : same->target;
    } else if (series != nullptr && options_.deduplicate && !series->run_source.empty() && !values.empty() &&
               !std::all_of(values.begin(), values.end(),
                            [](float v) { return std::bit_cast<std::uint32_t>(v) == 0; })) {
      source = series->run_source + "/" + name;
    }
    if (!source.empty()) {
      // A virtual dataset mapping the whole of the equal one: readers see its values, it keeps its
      // own name, units and long_name. Its fill value is NaN, so that if the run were ever copied to
      // another path without its source, the values would read as missing rather than as zeros.
      const float nan = std::numeric_limits<float>::quiet_NaN();
      check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &nan), "set a fill value", 0);
      check(H5Pset_virtual(dcpl.get(), space.get(), ".", source.c_str(), space.get()),
            "map " + name + " onto " + source, 0);
    } else if (rows > 0 && hours > 0) {
      const std::array<hsize_t, 2> chunk{std::min<hsize_t>(rows, options_.entities_per_chunk), hours};
      H5Pset_chunk(dcpl.get(), 2, chunk.data());
      H5Pset_shuffle(dcpl.get());
      H5Pset_deflate(dcpl.get(), kDeflateLevel);
      // Chunks never written read as this (explicitly 0, the HDF5 default).
      const float zero = 0.0F;
      check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_FLOAT, &zero), "set a fill value", 0);
    }
    Handle ds(check(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F32LE, space.get(), H5P_DEFAULT, dcpl.get(),
                               H5P_DEFAULT),
                    "create dataset " + name),
              H5Dclose);
    if (same != nullptr) {
      series->same_as.emplace_back(name, same->target.empty() ? same->name : same->target);
    } else if (!source.empty()) {
      series->same_as.emplace_back(name, source);
      series->stored.push_back({name, &values, rows, false, source});
    } else if (!values.empty()) {
      const std::size_t written = write_chunks(ds, values, rows, hours, name);
      if (series != nullptr) {
        const bool zero = written == 0 && options_.deduplicate;
        if (zero) series->zero.push_back(name);
        series->stored.push_back({name, &values, rows, zero, {}});
      }
    }
    attr(ds.get(), "units", units);
    attr(ds.get(), "long_name", long_name);
    return ds;
  }

  // Compressing is most of the cost of writing a year of series, and the HDF5 library compresses one
  // chunk at a time on one thread. So the chunks are filtered here, in parallel, exactly as HDF5's
  // shuffle and deflate filters would (shuffle: the i-th byte of every value together; deflate: a
  // zlib stream), and handed to H5Dwrite_chunk already filtered. With deduplication a chunk of
  // zeros is not written (the fill value reads back the same). Returns the chunks written.
  std::size_t write_chunks(const Handle& ds, const std::vector<float>& values, std::size_t rows,
                           std::size_t hours, const std::string& name) {
    const std::size_t chunk_rows = std::min<std::size_t>(rows, options_.entities_per_chunk);
    const std::size_t chunks = (rows + chunk_rows - 1) / chunk_rows;
    const std::size_t chunk_values = chunk_rows * hours;
    // A few chunks a thread are filtered at once, then written in order: memory stays at a few
    // chunks whatever the series' size, and the buffers are reused.
    // OpenMP's thread count (OMP_NUM_THREADS, else every core), also inside a batch's workers.
    const int threads =
        checked_threads(options_.threads) > 0 ? options_.threads : std::max(1, omp_get_max_threads());
    const std::size_t batch = 4 * static_cast<std::size_t>(threads);
    if (buffers_.size() < batch) buffers_.resize(batch);
    std::size_t written = 0;
    for (std::size_t begin = 0; begin < chunks; begin += batch) {
      const std::size_t end = std::min(chunks, begin + batch);
      std::atomic<int> failed{0};
      parallel_for(end - begin, threads, [&](std::size_t slot) {
        ChunkBuffers& buffers = buffers_[slot];
        const std::size_t first = (begin + slot) * chunk_values;
        const std::size_t count = std::min(chunk_values, values.size() - first);
        const float* chunk = values.data() + first;
        buffers.size = 0;
        if (options_.deduplicate &&
            std::all_of(chunk, chunk + count, [](float v) { return std::bit_cast<std::uint32_t>(v) == 0; })) {
          return;  // not written
        }
        try {
          if (!pack_chunk(chunk, count, chunk_values, options_.store_random_planes, buffers)) ++failed;
        } catch (...) {  // out of memory: reported below, from this thread
          ++failed;
        }
      });
      if (failed > 0) throw Error(ErrorCode::kInternal, path_ + ": zlib could not compress " + name);
      for (std::size_t c = begin; c < end; ++c) {
        const ChunkBuffers& buffers = buffers_[c - begin];
        if (buffers.size == 0) continue;
        const std::array<hsize_t, 2> offset{c * chunk_rows, 0};
        check(H5Dwrite_chunk(ds.get(), H5P_DEFAULT, 0, offset.data(), buffers.size, buffers.packed.data()),
              "write a chunk of " + name, 0);
        ++written;
      }
    }
    return written;
  }

  void make_scale(const Handle& ds, const std::string& dimension) {
    check(H5DSset_scale(ds.get(), dimension.c_str()), "make " + dimension + " a dimension scale", 0);
  }
  // A dataset of strings that is the dimension scale `name` (the coordinate of that dimension).
  Handle scale(hid_t loc, const std::string& name, const std::vector<std::string>& values) {
    Handle ds = strings(loc, name, values);
    make_scale(ds, name);
    return ds;
  }
  // A column of doubles along a dimension scale, with its units.
  void column(hid_t loc, const std::string& name, const std::vector<double>& values, const std::string& units,
              const Handle& dimension) {
    Handle ds = numbers(loc, name, values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    attr(ds.get(), "units", units);
    attach(ds, dimension, 0);
  }
  void attach(const Handle& var, const Handle& scale, unsigned index) {
    check(H5DSattach_scale(var.get(), scale.get(), index), "attach a dimension scale", 0);
  }

 private:
  std::string path_;
  SeriesStorage options_;
  std::vector<ChunkBuffers> buffers_;
};

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// The headline KPIs copied into /index for every run (complex "all"; the catalogue's in_index); NaN
// where a run has no such KPI (traffic off).
std::vector<KpiId> index_kpis() {
  std::vector<KpiId> ids;
  for (const KpiInfo& k : kpi_catalogue()) {
    if (k.in_index) ids.push_back(k.id);
  }
  return ids;
}

// The hourly time coordinate of a group: each group carries its own, so xarray decodes its times.
Handle write_time(Writer& w, const Handle& group, int year, std::size_t hours) {
  std::vector<double> time_h(hours);
  for (std::size_t h = 0; h < hours; ++h) time_h[h] = static_cast<double>(h);
  Handle time = w.numbers(group.get(), "time", time_h, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  w.make_scale(time, "time");
  w.attr(time.get(), "units", "hours since " + std::to_string(year) + "-01-01 00:00:00");
  w.attr(time.get(), "calendar", std::string("standard"));
  w.attr(time.get(), "long_name", std::string("start of the hour, local time"));
  w.attr(time.get(), "time_zone",
         std::string("KST (UTC+9), local standard time; each value is the mean of the hour"));
  return time;
}

// float64 columns along one dimension, each with its units.
struct Column {
  const char* name;
  const std::vector<double>* values;
  const char* units;
};
void write_columns(Writer& w, const Handle& group, const Handle& scale, const std::vector<Column>& columns) {
  for (const Column& c : columns) {
    Handle ds = w.numbers(group.get(), c.name, *c.values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(ds.get(), "units", std::string(c.units));
    w.attach(ds, scale, 0);
  }
}

void write_grid(Writer& w, const Handle& run_group, const GridResults& g, const std::string& series_source) {
  const auto hours = static_cast<std::size_t>(g.hours);
  Handle grid = w.group(run_group.get(), "grid");
  Handle time = write_time(w, grid, g.year, hours);
  Handle bus = w.strings(grid.get(), "bus", g.bus_ids);
  w.make_scale(bus, "bus");
  Handle branch = w.strings(grid.get(), "branch", g.branch_ids);
  w.make_scale(branch, "branch");
  Handle feeder = w.strings(grid.get(), "feeder", g.feeder_ids);
  w.make_scale(feeder, "feeder");
  Handle branch_feeder = w.strings(grid.get(), "branch_feeder", g.branch_feeder);
  w.attach(branch_feeder, branch, 0);
  Writer::SeriesGroup series = w.series_group(grid);
  if (!series_source.empty()) series.run_source = "/runs/" + series_source + "/grid";
  Handle vm = w.matrix(grid.get(), "bus_vm_pu", g.bus_vm_pu, g.bus_ids.size(), hours, "1",
                       "voltage magnitude, per unit of the bus's base voltage", &series);
  w.attach(vm, bus, 0);
  w.attach(vm, time, 1);
  Handle loading = w.matrix(grid.get(), "branch_loading", g.branch_loading, g.branch_ids.size(), hours, "1",
                            "apparent power over the branch's rating (the larger end)", &series);
  w.deduplicated(grid, series);
  w.attach(loading, branch, 0);
  w.attach(loading, time, 1);
  Handle feeder_complex = w.strings(grid.get(), "feeder_complex", g.feeder_complex);
  w.attach(feeder_complex, feeder, 0);
  for (auto& [name, column, long_name] :
       std::vector<std::tuple<const char*, const std::vector<int>*, const char*>>{
           {"undervoltage_hours", &g.undervoltage_hours,
            "hours with a bus of the feeder below the lower limit"},
           {"overvoltage_hours", &g.overvoltage_hours,
            "hours with a bus of the feeder above the upper limit"},
           {"overload_hours", &g.overload_hours, "hours with a segment of the feeder over its rating"}}) {
    std::vector<long long> values(column->begin(), column->end());
    Handle ds = w.numbers(grid.get(), name, values, H5T_STD_I64LE, H5T_NATIVE_LLONG);
    w.attr(ds.get(), "long_name", std::string(long_name));
    w.attach(ds, feeder, 0);
  }
  write_columns(w, grid, feeder,
                {{"min_vm_pu", &g.min_vm_pu, "1"},
                 {"max_vm_pu", &g.max_vm_pu, "1"},
                 {"max_loading", &g.max_loading, "1"},
                 {"hosting_capacity_kwp", &g.hosting_capacity_kwp, "kWp"}});
  w.attr(grid.get(), "nonconverged_hours", static_cast<long long>(g.nonconverged_hours));
}

// /runs/<id>/traffic/dynamic: the dynamic loading at shift change (docs/results-schema.md).
void write_traffic_dynamic(Writer& w, const Handle& traffic, const Handle& link, const TrafficResults& t) {
  Handle group = w.group(traffic.get(), "dynamic");
  const hsize_t reports = t.dynamic_time_s.size();
  const hsize_t links = t.link_road_id.size();
  const hsize_t zones = t.dynamic_zone_name.size();
  Handle time = w.numbers(group.get(), "time_s", t.dynamic_time_s, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  w.make_scale(time, "time_s");
  w.attr(time.get(), "units", std::string("s"));
  w.attr(time.get(), "long_name",
         std::string("start of the report interval, seconds since midnight (local time, KST) of a workday"));
  Handle zone = w.strings(group.get(), "zone", t.dynamic_zone_name);
  w.make_scale(zone, "zone");
  Handle kind = w.strings(group.get(), "zone_kind", t.dynamic_zone_kind);
  w.attr(kind.get(), "long_name", std::string("facility, gate, hub or external"));
  w.attach(kind, zone, 0);
  Handle vehicle_class = w.strings(group.get(), "class", t.dynamic_classes);
  w.make_scale(vehicle_class, "class");
  for (auto& [name, values, units, long_name] :
       std::vector<std::tuple<const char*, const std::vector<float>*, const char*, const char*>>{
           {"link_queue_veh", &t.dynamic_link_queue_veh, "vehicles",
            "vehicles at the link's end waiting to leave, at the interval's end"},
           {"link_queue_m", &t.dynamic_link_queue_m, "m", "length of that queue at jam density"},
           {"link_inflow_veh_h", &t.dynamic_link_inflow_veh_h, "vehicles/h",
            "vehicles entering the link during the interval, as an hourly rate"},
           {"link_outflow_veh_h", &t.dynamic_link_outflow_veh_h, "vehicles/h",
            "vehicles leaving the link during the interval, as an hourly rate"}}) {
    Handle ds = w.array(group.get(), name, *values, {reports, links}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
    w.attr(ds.get(), "units", std::string(units));
    w.attr(ds.get(), "long_name", std::string(long_name));
    w.attach(ds, time, 0);
    w.attach(ds, link, 1);
  }
  for (auto& [name, values, units, long_name] :
       std::vector<std::tuple<const char*, const std::vector<float>*, const char*, const char*>>{
           {"zone_departures", &t.dynamic_zone_departures, "vehicles",
            "vehicles departing during the interval"},
           {"zone_queue_veh", &t.dynamic_zone_queue_veh, "vehicles",
            "vehicles waiting at the origin to enter the road, at the interval's end"},
           {"gate_queue_veh", &t.dynamic_gate_queue_veh, "vehicles",
            "a gate's queue at the interval's end: its origin queue and the queues on the links into its "
            "node (0 for other zones)"},
           {"zone_mean_delay_s", &t.dynamic_zone_mean_delay_s, "s",
            "mean delay (travel time less free-flow time) of the vehicles departing in the interval; NaN: "
            "none finished"}}) {
    Handle ds = w.array(group.get(), name, *values, {reports, zones}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
    w.attr(ds.get(), "units", std::string(units));
    w.attr(ds.get(), "long_name", std::string(long_name));
    w.attach(ds, time, 0);
    w.attach(ds, zone, 1);
  }
  std::vector<long long> vehicles(t.dynamic_class_vehicles.begin(), t.dynamic_class_vehicles.end());
  std::vector<long long> finished(t.dynamic_class_finished.begin(), t.dynamic_class_finished.end());
  Handle v = w.numbers(group.get(), "class_vehicles", vehicles, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.attr(v.get(), "units", std::string("1"));
  w.attach(v, vehicle_class, 0);
  Handle f = w.numbers(group.get(), "class_finished", finished, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.attr(f.get(), "units", std::string("1"));
  w.attr(f.get(), "long_name", std::string("vehicles that arrived before the simulation's end"));
  w.attach(f, vehicle_class, 0);
  for (auto& [name, values, long_name] :
       std::vector<std::tuple<const char*, const std::vector<double>*, const char*>>{
           {"class_mean_travel_time_s", &t.dynamic_class_mean_travel_time_s,
            "mean travel time from departure (origin queue included) to arrival, of the finished vehicles"},
           {"class_mean_free_flow_time_s", &t.dynamic_class_mean_free_flow_time_s,
            "mean free-flow time over the same vehicles' routes"}}) {
    Handle ds = w.numbers(group.get(), name, *values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(ds.get(), "units", std::string("s"));
    w.attr(ds.get(), "long_name", std::string(long_name));
    w.attach(ds, vehicle_class, 0);
  }
  Handle gate_queue = w.numbers(group.get(), "busiest_gate_queue_veh", t.dynamic_busiest_gate_queue_veh,
                                H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  w.attr(gate_queue.get(), "units", std::string("vehicles"));
  w.attr(gate_queue.get(), "long_name", std::string("gate queue (gate_queue_veh) of the busiest gate"));
  w.attach(gate_queue, time, 0);
  w.attr(group.get(), "busiest_gate", t.dynamic_busiest_gate);
  w.attr(group.get(), "model", std::string("link transmission model (Yperman 2007), discrete vehicles"));
  w.attr(group.get(), "start_s", t.dynamic_start_s);
  w.attr(group.get(), "end_s", t.dynamic_end_s);
  w.attr(group.get(), "simulation_end_s", t.dynamic_sim_end_s);
  w.attr(group.get(), "step_s", t.dynamic_step_s);
  w.attr(group.get(), "report_s", t.dynamic_report_s);
  w.attr(group.get(), "expected_trips", t.dynamic_expected_trips);
  w.attr(group.get(), "vehicles", static_cast<long long>(t.dynamic_vehicles));
  w.attr(group.get(), "finished", static_cast<long long>(t.dynamic_finished));
  w.attr(group.get(), "vehicle_steps", t.dynamic_vehicle_steps);
  w.attr(group.get(), "seconds", t.dynamic_seconds);
}

// Freight tours (tour_* by day type and truck class) and the logistics hub's group `hub`.
void write_tours(Writer& w, const Handle& traffic, const Handle& day_type, const Handle& vehicle_class,
                 const TrafficResults& t) {
  const hsize_t days = t.day_types.size();
  const std::vector<std::string> trucks{"light_truck", "heavy_truck"};
  Handle truck_class = w.strings(traffic.get(), "truck_class", trucks);
  w.make_scale(truck_class, "truck_class");
  for (auto& [name, values, long_name] :
       std::vector<std::tuple<const char*, const std::vector<double>*, const char*>>{
           {"tour_count", &t.tour_count, "tours a day (from a gate, own-account and from the hub)"},
           {"tour_stops", &t.tour_stops, "facility stops a day (each one arrival and one departure)"},
           {"tour_trunk_trips", &t.tour_trunk_trips, "vehicles a day between the gates and the hub"}}) {
    Handle ds =
        w.array(traffic.get(), name, *values, {days, trucks.size()}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(ds.get(), "units", std::string("vehicles/day"));
    w.attr(ds.get(), "long_name", std::string(long_name));
    w.attach(ds, day_type, 0);
    w.attach(ds, truck_class, 1);
  }
  if (!t.hub.enabled) return;
  const TrafficResults::Hub& h = t.hub;
  Handle hub = w.group(traffic.get(), "hub");
  w.attr(hub.get(), "chosen_by", h.chosen_by);
  w.attr(hub.get(), "x_m", h.x_m);
  w.attr(hub.get(), "y_m", h.y_m);
  w.attr(hub.get(), "lon", h.lon_deg);
  w.attr(hub.get(), "lat", h.lat_deg);
  w.attr(hub.get(), "road_node", static_cast<long long>(h.road_node));
  w.attr(hub.get(), "node_distance_m", h.node_distance_m);
  w.attr(hub.get(), "zone", h.zone);
  w.attr(hub.get(), "complex", h.complex);
  w.attr(hub.get(), "candidates", static_cast<long long>(h.candidates));
  w.attr(hub.get(), "share", h.share);
  w.attr(hub.get(), "trip_reduction", h.trip_reduction);
  w.attr(hub.get(), "electric_share", h.electric_share);
  w.attr(hub.get(), "workday_truck_km_with_hub", h.workday_truck_km_with);
  w.attr(hub.get(), "workday_truck_km_without_hub", h.workday_truck_km_without);
  w.attr(hub.get(), "workday_truck_hours_with_hub", h.workday_truck_hours_with);
  w.attr(hub.get(), "workday_truck_hours_without_hub", h.workday_truck_hours_without);
  w.attr(hub.get(), "workday_hub_tours", h.workday_hub_tours);
  Handle members = w.strings(hub.get(), "complexes", h.complexes);
  (void)members;
  if (!h.km_share.empty()) {
    Handle share = w.numbers(hub.get(), "km_share", h.km_share, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(share.get(), "units", std::string("1"));
    w.attr(share.get(), "long_name",
           std::string("share of each class's truck-km (free flow, the year) on the hub's legs"));
    w.attach(share, vehicle_class, 0);
  }
  if (!h.link.empty()) {
    std::vector<long long> link(h.link.begin(), h.link.end());
    Handle ids = w.numbers(hub.get(), "link", link, H5T_STD_I64LE, H5T_NATIVE_LLONG);
    w.attr(ids.get(), "long_name", std::string("road link (index into traffic/link)"));
    Handle kind = w.strings(hub.get(), "link_kind", h.link_kind);
    w.attr(kind.get(), "long_name",
           std::string("busiest (the workday's peak v/c) or changed (trucks a workday)"));
    for (auto& [name, values, units, long_name] :
         std::vector<std::tuple<const char*, const std::vector<double>*, const char*, const char*>>{
             {"link_peak_vc", &h.link_peak_vc, "1", "the run's workday peak-hour PCE over capacity"},
             {"link_trucks_with_hub", &h.link_trucks_with, "vehicles/day",
              "trucks a workday with the hub, all-or-nothing at free flow"},
             {"link_trucks_without_hub", &h.link_trucks_without, "vehicles/day",
              "trucks a workday without the hub, all-or-nothing at free flow"}}) {
      Handle ds = w.numbers(hub.get(), name, *values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
      w.attr(ds.get(), "units", std::string(units));
      w.attr(ds.get(), "long_name", std::string(long_name));
    }
  }
}

void write_traffic(Writer& w, const Handle& run_group, const TrafficResults& t) {
  Handle traffic = w.group(run_group.get(), "traffic");
  const hsize_t days = t.day_types.size();
  const hsize_t hours = 24;
  const hsize_t links = t.link_road_id.size();
  const hsize_t classes = t.classes.size();
  const hsize_t areas = t.area_ids.size();
  Handle day_type = w.strings(traffic.get(), "day_type", t.day_types);
  w.make_scale(day_type, "day_type");
  std::vector<long long> hour_values(24);
  for (int h = 0; h < 24; ++h) hour_values[static_cast<std::size_t>(h)] = h;
  Handle hour = w.numbers(traffic.get(), "hour", hour_values, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.make_scale(hour, "hour");
  w.attr(hour.get(), "long_name", std::string("hour of the day, local time (KST): the hour starting then"));
  std::vector<long long> link_values(links);
  for (hsize_t l = 0; l < links; ++l) link_values[l] = static_cast<long long>(l);
  Handle link = w.numbers(traffic.get(), "link", link_values, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.make_scale(link, "link");
  w.attr(link.get(), "long_name", std::string("directed road link (index into the road graph's links)"));
  Handle vehicle_class = w.strings(traffic.get(), "class", t.classes);
  w.make_scale(vehicle_class, "class");
  Handle area = w.strings(traffic.get(), "area", t.area_ids);
  w.make_scale(area, "area");

  Handle flow = w.array(traffic.get(), "link_flow_veh_h", t.link_flow_veh_h, {days, hours, links, classes},
                        H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  w.attr(flow.get(), "units", std::string("vehicles/h"));
  w.attr(flow.get(), "long_name", std::string("equilibrium link flow of the hour, by vehicle class"));
  w.attach(flow, day_type, 0);
  w.attach(flow, hour, 1);
  w.attach(flow, link, 2);
  w.attach(flow, vehicle_class, 3);
  Handle speed = w.array(traffic.get(), "link_speed_kmh", t.link_speed_kmh, {days, hours, links},
                         H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  w.attr(speed.get(), "units", std::string("km/h"));
  Handle time = w.array(traffic.get(), "link_time_min", t.link_time_min, {days, hours, links}, H5T_IEEE_F32LE,
                        H5T_NATIVE_FLOAT);
  w.attr(time.get(), "units", std::string("min"));
  w.attr(time.get(), "long_name", std::string("travel time on the link at the hour's flow (BPR)"));
  w.attach(time, day_type, 0);
  w.attach(time, hour, 1);
  w.attach(time, link, 2);
  w.attr(speed.get(), "long_name", std::string("mean speed on the link (length over BPR travel time)"));
  w.attach(speed, day_type, 0);
  w.attach(speed, hour, 1);
  w.attach(speed, link, 2);
  Handle gap =
      w.array(traffic.get(), "relative_gap", t.relative_gap, {days, hours}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
  w.attr(gap.get(), "units", std::string("1"));
  w.attr(gap.get(), "long_name", std::string("relative gap the hour's assignment reached"));
  w.attach(gap, day_type, 0);
  w.attach(gap, hour, 1);
  std::vector<long long> iterations(t.iterations.begin(), t.iterations.end());
  Handle its =
      w.array(traffic.get(), "iterations", iterations, {days, hours}, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.attach(its, day_type, 0);
  w.attach(its, hour, 1);
  Handle trips = w.array(traffic.get(), "daily_trips", t.daily_trips, {days, classes}, H5T_IEEE_F64LE,
                         H5T_NATIVE_DOUBLE);
  w.attr(trips.get(), "units", std::string("vehicles/day"));
  w.attach(trips, day_type, 0);
  w.attach(trips, vehicle_class, 1);
  std::vector<long long> days_in_year(t.days_in_year.begin(), t.days_in_year.end());
  Handle count = w.numbers(traffic.get(), "days_in_year", days_in_year, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  // Not "days": CF readers would decode a count of days as a time interval.
  w.attr(count.get(), "units", std::string("1"));
  w.attr(count.get(), "long_name", std::string("number of days of this kind in the year"));
  w.attach(count, day_type, 0);
  for (auto& [name, values, units, long_name] :
       std::vector<std::tuple<const char*, const std::vector<double>*, const char*, const char*>>{
           {"vkt_km", &t.vkt_km, "km", "vehicle-km a year on the area's road links"},
           {"vht_h", &t.vht_h, "h", "vehicle-hours a year on the area's road links"}}) {
    Handle ds = w.array(traffic.get(), name, *values, {areas, classes}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(ds.get(), "units", std::string(units));
    w.attr(ds.get(), "long_name", std::string(long_name));
    w.attach(ds, area, 0);
    w.attach(ds, vehicle_class, 1);
  }
  write_columns(w, traffic, vehicle_class,
                {{"pce", &t.pce, "1"}, {"electric_share", &t.electric_share, "1"}});
  Handle road_id = w.strings(traffic.get(), "link_road_id", t.link_road_id);
  w.attach(road_id, link, 0);
  Handle link_complex = w.strings(traffic.get(), "link_complex", t.link_complex);
  w.attach(link_complex, link, 0);
  write_columns(w, traffic, link,
                {{"link_from_x", &t.link_from_x, "m"},
                 {"link_from_y", &t.link_from_y, "m"},
                 {"link_to_x", &t.link_to_x, "m"},
                 {"link_to_y", &t.link_to_y, "m"},
                 {"link_length_km", &t.link_length_km, "km"},
                 {"link_capacity_pce_h", &t.link_capacity_pce_h, "PCE/h"},
                 {"link_free_speed_kmh", &t.link_free_speed_kmh, "km/h"}});
  w.attr(traffic.get(), "year", static_cast<long long>(t.year));

  // Background traffic (traffic.background): its own classes, flows and count sites.
  if (t.background) {
    const hsize_t bg_classes = t.background_classes.size();
    const hsize_t counts = t.background_count_id.size();
    Handle bg_class = w.strings(traffic.get(), "background_class", t.background_classes);
    w.make_scale(bg_class, "background_class");
    Handle bg_flow = w.array(traffic.get(), "background_flow_veh_h", t.background_flow_veh_h,
                             {days, hours, links, bg_classes}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
    w.attr(bg_flow.get(), "units", std::string("vehicles/h"));
    w.attr(bg_flow.get(), "long_name",
           std::string("equilibrium link flow of the hour of the background traffic (not the complexes')"));
    w.attach(bg_flow, day_type, 0);
    w.attach(bg_flow, hour, 1);
    w.attach(bg_flow, link, 2);
    w.attach(bg_flow, bg_class, 3);
    Handle bg_trips = w.array(traffic.get(), "background_daily_trips", t.background_daily_trips,
                              {days, bg_classes}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(bg_trips.get(), "units", std::string("vehicles/day"));
    w.attach(bg_trips, day_type, 0);
    w.attach(bg_trips, bg_class, 1);
    write_columns(
        w, traffic, bg_class,
        {{"background_pce", &t.background_pce, "1"}, {"background_vkt_km", &t.background_vkt_km, "km"}});
    Handle zones = w.strings(traffic.get(), "background_zone", t.background_zones);
    w.make_scale(zones, "background_zone");
    w.attr(zones.get(), "long_name", std::string("the external zones of the background traffic"));
    if (counts > 0) {
      Handle count_scale = w.strings(traffic.get(), "background_count", t.background_count_id);
      w.make_scale(count_scale, "background_count");
      Handle count_road = w.strings(traffic.get(), "background_count_road_id", t.background_count_road_id);
      w.attach(count_road, count_scale, 0);
      write_columns(w, traffic, count_scale,
                    {{"background_count_aadt_veh", &t.background_count_aadt_veh, "vehicles/day"},
                     {"background_count_model_veh", &t.background_count_model_veh, "vehicles/day"}});
      for (auto& [name, values, long_name] :
           std::vector<std::tuple<const char*, const std::vector<float>*, const char*>>{
               {"background_count_flow_veh_h", &t.background_count_flow_veh_h,
                "modelled flow of all classes on the count site's links"},
               {"background_count_target_veh_h", &t.background_count_target_veh_h,
                "counted AADT x the day factor x the hour's profile share"}}) {
        Handle ds =
            w.array(traffic.get(), name, *values, {days, hours, counts}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
        w.attr(ds.get(), "units", std::string("vehicles/h"));
        w.attr(ds.get(), "long_name", std::string(long_name));
        w.attach(ds, day_type, 0);
        w.attach(ds, hour, 1);
        w.attach(ds, count_scale, 2);
      }
    }
  }
  if (t.dynamic_enabled) write_traffic_dynamic(w, traffic, link, t);
  if (t.tours) write_tours(w, traffic, day_type, vehicle_class, t);
}

void write_emissions(Writer& w, const Handle& run_group, const EmissionsResults& em) {
  Handle group = w.group(run_group.get(), "emissions");
  Handle area = w.strings(group.get(), "area", em.areas);
  w.make_scale(area, "area");
  Handle source = w.strings(group.get(), "source", em.sources);
  w.make_scale(source, "source");
  Handle scope = w.strings(group.get(), "source_scope", em.source_scope);
  w.attr(scope.get(), "long_name", std::string("scope of the source: scope1, scope2 or transport"));
  w.attach(scope, source, 0);
  Handle tco2e = w.array(group.get(), "tco2e", em.tco2e, {em.areas.size(), em.sources.size()}, H5T_IEEE_F64LE,
                         H5T_NATIVE_DOUBLE);
  w.attr(tco2e.get(), "units", std::string("tCO2eq"));
  w.attr(tco2e.get(), "long_name", std::string("greenhouse-gas emissions of the year by area and source"));
  w.attach(tco2e, area, 0);
  w.attach(tco2e, source, 1);
  w.attr(group.get(), "grid_t_per_mwh", em.grid_t_per_mwh);
  w.attr(group.get(), "factors", em.factors);
}

}  // namespace

// /runs/<id>/costs: the economic assumptions as attributes, each intervention's cost a row.
void write_costs(Writer& w, const Handle& run_group, const CostResults& c) {
  Handle group = w.group(run_group.get(), "costs");
  w.attr(group.get(), "discount_rate", c.discount_rate);
  w.attr(group.get(), "analysis_years", static_cast<long long>(c.analysis_years));
  w.attr(group.get(), "fuel_prices", c.fuel_prices);
  w.attr(group.get(), "pv_export", c.pv_export);
  w.attr(group.get(), "pv_export_rule", c.pv_export_rule);
  w.attr(group.get(), "fuel_factor", c.fuel_factor);
  w.attr(group.get(), "export_factor", c.export_factor);
  if (!c.fuels.empty()) {
    const Handle fuel = w.scale(group.get(), "fuel", c.fuels);
    w.column(group.get(), "fuel_krw_per_mwh", c.fuel_krw_per_mwh, "KRW/MWh", fuel);
  }
  std::vector<std::string> names, kinds;
  std::vector<double> investment, om, lifetime, annualised;
  for (const CostLine& line : c.items) {
    names.push_back(line.intervention);
    kinds.push_back(line.kind);
    investment.push_back(line.investment_krw);
    om.push_back(line.om_krw_per_year);
    lifetime.push_back(line.lifetime_years);
    annualised.push_back(line.annualised_krw);
  }
  const Handle item = w.scale(group.get(), "intervention", names);
  Handle kind = w.strings(group.get(), "kind", kinds);
  w.attach(kind, item, 0);
  w.column(group.get(), "investment_krw", investment, "KRW", item);
  w.column(group.get(), "om_krw_per_year", om, "KRW/year", item);
  w.column(group.get(), "lifetime_years", lifetime, "year", item);
  w.column(group.get(), "annualised_krw", annualised, "KRW/year", item);
}

struct Hdf5ResultFile::Impl {
  std::string path;
  std::string temp_path;
  Handle file;
  Writer writer{""};
  bool committed = false;
  struct IndexRow {
    std::string run_id, scenario, status, parameters;
    std::map<std::string, double> kpis;
  };
  std::vector<IndexRow> index;
  std::optional<UncertaintyAnalysis> uncertainty;
  std::optional<MaccAnalysis> macc;
};

Hdf5ResultFile::Hdf5ResultFile(const std::string& path, const std::string& command,
                               const SeriesStorage& options)
    : impl_(std::make_unique<Impl>()) {
  // HDF5 prints its own error stack on failures; sandan reports failures itself.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  impl_->path = path;
  const fs::path final_path(path);
  impl_->temp_path =
      (final_path.parent_path() / (final_path.filename().string() + ".tmp-" + std::to_string(::getpid())))
          .string();
  impl_->writer = Writer(path, options);
  impl_->file =
      Handle(H5Fcreate(impl_->temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!impl_->file.ok())
    throw Error(ErrorCode::kIo, path + ": cannot create the results file (is the folder writable?)");
  Writer& w = impl_->writer;
  const hid_t root = impl_->file.get();
  w.attr(root, "schema", std::string("sandan-results"));
  w.attr(root, "schema_version", 1LL);
  w.attr(root, "sandan_version", std::string(SANDAN_VERSION));
  w.attr(root, "created", utc_now());
  w.attr(root, "command", command);
  w.group(root, "runs");
}

Hdf5ResultFile::~Hdf5ResultFile() {
  if (!impl_->committed) {
    impl_->file.reset();
    std::error_code ec;
    fs::remove(impl_->temp_path, ec);
  }
}

void Hdf5ResultFile::write(const RunResult& run) {
  Writer& w = impl_->writer;
  for (const auto& row : impl_->index) {
    if (row.run_id == run.run_id)
      throw Error(ErrorCode::kBadInput, impl_->path + ": run id '" + run.run_id + "' repeats");
  }
  Handle group = w.group(impl_->file.get(), "runs/" + run.run_id);
  w.attr(group.get(), "scenario", run.scenario_yaml);
  w.attr(group.get(), "scenario_name", run.scenario_name);
  w.attr(group.get(), "seed", static_cast<long long>(run.seed));
  w.attr(group.get(), "parameters", run.parameters_json);
  w.attr(group.get(), "status", run.status);
  std::string notes;
  for (const auto& note : run.notes) notes += (notes.empty() ? "" : "\n") + note;
  w.attr(group.get(), "notes", notes);

  const EnergyResults& e = run.energy;
  const auto hours = static_cast<std::size_t>(e.hours);
  Handle energy = w.group(group.get(), "energy");
  Handle time = write_time(w, energy, e.year, hours);
  Handle facility = w.strings(energy.get(), "facility", e.facility_ids);
  w.make_scale(facility, "facility");
  Handle complex = w.strings(energy.get(), "complex", e.complex_ids);
  w.make_scale(complex, "complex");

  Handle facility_complex = w.strings(energy.get(), "facility_complex", e.facility_complex);
  w.attach(facility_complex, facility, 0);
  Handle kwp =
      w.numbers(energy.get(), "pv_capacity_kwp", e.pv_capacity_kwp, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  w.attr(kwp.get(), "units", std::string("kWp"));
  w.attach(kwp, facility, 0);
  Handle bill = w.numbers(energy.get(), "bill_krw", e.bill_krw, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  w.attr(bill.get(), "units", std::string("KRW"));
  w.attr(bill.get(), "long_name",
         std::string("electricity bill of the year, incl. add-ons, power fund and VAT, less the "
                     "facility's share of shared batteries' savings"));
  w.attach(bill, facility, 0);

  const std::size_t n_fac = e.facility_ids.size();
  Writer::SeriesGroup series = w.series_group(energy);
  if (!run.series_source_run.empty()) series.run_source = "/runs/" + run.series_source_run + "/energy";
  struct Series {
    const char* name;
    const std::vector<float>* values;
    const char* units;
    const char* long_name;
  };
  const std::vector<Series> facility_series{
      {"load_kw", &e.load_kw, "kW", "electricity demand"},
      {"pv_kw", &e.pv_kw, "kW", "PV output (AC)"},
      {"curtailed_kw", &e.curtailed_kw, "kW", "PV curtailed by the export limit"},
      {"battery_kw", &e.battery_kw, "kW", "battery power, > 0 discharging"},
      {"battery_soc", &e.battery_soc, "1", "battery state of charge at the end of the hour"},
      {"import_kw", &e.import_kw, "kW", "power drawn from the grid"},
      {"export_kw", &e.export_kw, "kW", "power fed into the grid"},
      {"fuel_kw", &e.fuel_kw, "kW", "fuel demand (process and space heat)"},
  };
  for (const auto& s : facility_series) {
    if (s.values->size() != n_fac * hours) continue;  // facility series not kept
    Handle ds = w.matrix(energy.get(), s.name, *s.values, n_fac, hours, s.units, s.long_name, &series);
    w.attach(ds, facility, 0);
    w.attach(ds, time, 1);
  }
  const std::size_t n_cx = e.complex_ids.size();
  const std::vector<Series> complex_series{
      {"complex_load_kw", &e.complex_load_kw, "kW", "electricity demand of the complex"},
      {"complex_pv_kw", &e.complex_pv_kw, "kW", "PV output of the complex"},
      {"complex_curtailed_kw", &e.complex_curtailed_kw, "kW", "PV curtailed in the complex"},
      {"complex_battery_kw", &e.complex_battery_kw, "kW",
       "batteries of the complex (facility and shared), > 0 discharging"},
      {"complex_import_kw", &e.complex_import_kw, "kW", "import at the complex's grid connection"},
      {"complex_export_kw", &e.complex_export_kw, "kW", "export at the complex's grid connection"},
  };
  for (const auto& s : complex_series) {
    Handle ds = w.matrix(energy.get(), s.name, *s.values, n_cx, hours, s.units, s.long_name, &series);
    w.attach(ds, complex, 0);
    w.attach(ds, time, 1);
  }
  if (!e.battery_ids.empty()) {
    Handle battery = w.strings(energy.get(), "battery", e.battery_ids);
    w.make_scale(battery, "battery");
    Handle owner = w.strings(energy.get(), "battery_complex", e.battery_complex);
    w.attach(owner, battery, 0);
    Handle kw = w.matrix(energy.get(), "shared_battery_kw", e.shared_battery_kw, e.battery_ids.size(), hours,
                         "kW", "shared battery power, > 0 discharging", &series);
    w.attach(kw, battery, 0);
    w.attach(kw, time, 1);
    Handle soc = w.matrix(energy.get(), "shared_battery_soc", e.shared_battery_soc, e.battery_ids.size(),
                          hours, "1", "shared battery state of charge", &series);
    w.attach(soc, battery, 0);
    w.attach(soc, time, 1);
    Handle saving = w.numbers(energy.get(), "shared_battery_saving_krw", e.shared_battery_saving_krw,
                              H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(saving.get(), "units", std::string("KRW"));
    w.attr(saving.get(), "long_name",
           std::string("saving on the aggregate meter's bill of the year, allocated to the member "
                       "facilities' bill_krw in proportion to their bills before it"));
    w.attach(saving, battery, 0);
  }

  w.deduplicated(energy, series);

  if (run.grid.enabled) write_grid(w, group, run.grid, run.series_source_run);
  if (run.traffic.enabled) write_traffic(w, group, run.traffic);
  if (run.emissions.enabled) write_emissions(w, group, run.emissions);

  write_costs(w, group, run.costs);

  // KPIs as a table of four columns along a `row` dimension.
  Handle kpi = w.group(group.get(), "kpi");
  std::vector<long long> rows(run.kpis.size());
  std::vector<std::string> keys, complexes, units;
  std::vector<double> values;
  for (std::size_t i = 0; i < run.kpis.size(); ++i) {
    rows[i] = static_cast<long long>(i);
    keys.push_back(run.kpis[i].key);
    complexes.push_back(run.kpis[i].complex);
    values.push_back(run.kpis[i].value);
    units.push_back(run.kpis[i].unit);
  }
  Handle row = w.numbers(kpi.get(), "row", rows, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.make_scale(row, "row");
  for (auto& [name, column] : std::vector<std::pair<const char*, const std::vector<std::string>*>>{
           {"key", &keys}, {"complex", &complexes}, {"unit", &units}}) {
    Handle ds = w.strings(kpi.get(), name, *column);
    w.attach(ds, row, 0);
  }
  Handle value = w.numbers(kpi.get(), "value", values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
  w.attach(value, row, 0);

  Impl::IndexRow index_row{run.run_id, run.scenario_name, run.status, run.parameters_json, {}};
  for (const auto& k : run.kpis) {
    if (k.complex == kAllComplexes) index_row.kpis[k.key] = k.value;
  }
  impl_->index.push_back(index_row);
}

namespace {

// Element 0 of a string dataset.
std::string read_string0(hid_t file, const std::string& name) {
  Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.ok()) return {};
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  if (n < 1) return {};
  std::vector<char*> values(static_cast<std::size_t>(n), nullptr);
  if (H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) return {};
  std::string out = values[0] != nullptr ? values[0] : "";
  for (char* v : values) H5free_memory(v);
  return out;
}

std::optional<double> read_double0(hid_t file, const std::string& name) {
  if (H5Lexists(file, name.c_str(), H5P_DEFAULT) <= 0) return std::nullopt;
  Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  std::vector<double> values(
      static_cast<std::size_t>(std::max<hssize_t>(1, H5Sget_simple_extent_npoints(space.get()))));
  if (H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    return std::nullopt;
  return values[0];
}

// Datasets of a group (paths relative to it) and, for each dimension, the path of the scale attached.
struct ScaleUse {
  std::string dataset;
  std::vector<std::string> scales;  // by dimension, "" for none
};

herr_t collect_scale_uses(hid_t group, const char* name, const H5O_info_t* info, void* data) {
  if (info->type != H5O_TYPE_DATASET || std::string(name) == ".") return 0;
  Handle ds(H5Dopen2(group, name, H5P_DEFAULT), H5Dclose);
  if (!ds.ok() || H5DSis_scale(ds.get()) > 0) return 0;
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  ScaleUse use{name, std::vector<std::string>(static_cast<std::size_t>(std::max(rank, 0)))};
  bool any = false;
  for (int d = 0; d < rank; ++d) {
    std::string scale_path;
    H5DSiterate_scales(
        ds.get(), static_cast<unsigned>(d), nullptr,
        [](hid_t, unsigned, hid_t scale, void* out) -> herr_t {
          char buffer[1024];
          const ssize_t n = H5Iget_name(scale, buffer, sizeof buffer);
          if (n > 0) *static_cast<std::string*>(out) = std::string(buffer, static_cast<std::size_t>(n));
          return 1;  // the first scale of the dimension is enough
        },
        &scale_path);
    use.scales[static_cast<std::size_t>(d)] = scale_path;
    any = any || !scale_path.empty();
  }
  if (any) static_cast<std::vector<ScaleUse>*>(data)->push_back(use);
  return 0;
}

}  // namespace

void Hdf5ResultFile::copy_run(const std::string& source_path, const std::string& run_id) {
  for (const auto& row : impl_->index) {
    if (row.run_id == run_id)
      throw Error(ErrorCode::kBadInput, impl_->path + ": run id '" + run_id + "' repeats");
  }
  Handle source(H5Fopen(source_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!source.ok()) throw Error(ErrorCode::kIo, source_path + ": cannot open a finished run of the batch");
  // A part damaged since it was written (a disk error, an edit) must not hang the copy of its strings.
  refuse_damaged_global_heap(source_path, source.get(), "finished run of the batch");
  const std::string name = "runs/" + run_id;
  if (H5Ocopy(source.get(), name.c_str(), impl_->file.get(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0) {
    throw Error(ErrorCode::kIo, impl_->path + ": cannot copy run " + run_id + " from " + source_path);
  }
  // Dimension scales are attached by object references, which a copy to another file does not carry
  // over: the attachments are made again between the copies.
  std::vector<ScaleUse> uses;
  {
    Handle run_group(H5Gopen2(source.get(), name.c_str(), H5P_DEFAULT), H5Gclose);
    H5Ovisit(run_group.get(), H5_INDEX_NAME, H5_ITER_NATIVE, collect_scale_uses, &uses);
  }
  std::set<std::string> scales;
  for (const ScaleUse& use : uses) {
    for (const std::string& scale : use.scales) {
      if (!scale.empty()) scales.insert(scale);
    }
  }
  const hid_t dest = impl_->file.get();
  for (const std::string& scale : scales) {
    Handle ds(H5Dopen2(dest, scale.c_str(), H5P_DEFAULT), H5Dclose);
    if (ds.ok() && H5Aexists(ds.get(), "REFERENCE_LIST") > 0) H5Adelete(ds.get(), "REFERENCE_LIST");
  }
  for (const ScaleUse& use : uses) {
    const std::string path = name + "/" + use.dataset;
    Handle ds(H5Dopen2(dest, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!ds.ok()) continue;
    if (H5Aexists(ds.get(), "DIMENSION_LIST") > 0) H5Adelete(ds.get(), "DIMENSION_LIST");
    for (std::size_t d = 0; d < use.scales.size(); ++d) {
      if (use.scales[d].empty()) continue;
      Handle scale(H5Dopen2(dest, use.scales[d].c_str(), H5P_DEFAULT), H5Dclose);
      if (!scale.ok() || H5DSattach_scale(ds.get(), scale.get(), static_cast<unsigned>(d)) < 0) {
        throw Error(ErrorCode::kIo, impl_->path + ": cannot attach " + use.scales[d] + " to " + path);
      }
    }
  }
  Impl::IndexRow row;
  row.run_id = run_id;
  row.scenario = read_string0(source.get(), "index/scenario");
  row.status = read_string0(source.get(), "index/status");
  row.parameters = read_string0(source.get(), "index/parameters");
  for (const KpiId id : index_kpis()) {
    const std::string key = kpi_key(id);
    if (auto v = read_double0(source.get(), "index/" + key); v && !std::isnan(*v)) row.kpis[key] = *v;
  }
  impl_->index.push_back(std::move(row));
}

Hdf5BatchFile::Hdf5BatchFile(const std::string& path, const std::string& command,
                             const std::string& fingerprint, const SeriesStorage& storage)
    : path_(path), command_(command), parts_(path + ".parts"), storage_(storage) {
  hbool_t threadsafe = 0;
  serialise_ = H5is_library_threadsafe(&threadsafe) < 0 || threadsafe == 0;
  std::error_code ec;
  fs::create_directories(parts_, ec);
  if (ec)
    throw Error(ErrorCode::kIo, parts_ + ": cannot create the folder of the batch's runs: " + ec.message());
  for (const auto& entry : fs::directory_iterator(parts_, ec)) {
    const std::string name = entry.path().filename().string();
    const auto at = name.find(".tmp-");
    if (at != std::string::npos) remove_stale_temporaries((fs::path(parts_) / name.substr(0, at)).string());
  }
  const fs::path stamp = fs::path(parts_) / "scenario.yaml";
  const bool resuming = !finished().empty();
  if (resuming && !fs::exists(stamp)) {
    // Nothing says which batch made these runs: resuming them could merge another scenario's runs.
    throw Error(ErrorCode::kBadInput, parts_ +
                                          " holds finished runs but not its scenario.yaml, which says which "
                                          "scenario made them; remove the folder to start the batch afresh");
  }
  if (resuming) {
    std::ifstream in(stamp, std::ios::binary);
    const std::string kept{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (kept != fingerprint) {
      throw Error(ErrorCode::kBadInput, parts_ +
                                            " holds runs of another scenario (or of this one before it or a "
                                            "file it reads changed); remove the folder to start the batch "
                                            "afresh");
    }
  } else {
    std::ofstream out(stamp, std::ios::binary);
    out << fingerprint;
    out.close();
    if (!out) throw Error(ErrorCode::kIo, stamp.string() + ": cannot write");
  }
}

Hdf5BatchFile::~Hdf5BatchFile() {
  if (committed_ || !finished().empty()) return;
  std::error_code ec;
  fs::remove_all(parts_, ec);
}

std::set<std::string> Hdf5BatchFile::finished() const {
  std::set<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parts_, ec)) {
    const fs::path& p = entry.path();
    if (p.extension() == ".h5") ids.insert(p.stem().string());
  }
  return ids;
}

void Hdf5BatchFile::write(const RunResult& run) {
  std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
  if (serialise_) lock.lock();
  Hdf5ResultFile part((fs::path(parts_) / (run.run_id + ".h5")).string(), command_, storage_);
  part.write(run);
  part.commit();
}

std::string Hdf5BatchFile::part_path(const std::string& run_id) const {
  return (fs::path(parts_) / (run_id + ".h5")).string();
}

void Hdf5BatchFile::commit(const std::vector<std::string>& run_order, const BatchAnalyses& analyses) {
  // The merged file holds every run's part again. HDF5's object copy crashes when a write fails for
  // want of room midway (HDF5 1.10), so the room is checked first: the merge is refused, the parts
  // kept for a later attempt, when the parts do not fit.
  double needed = 0.0;
  for (const std::string& id : run_order) {
    std::error_code ec;
    const auto size = fs::file_size(part_path(id), ec);
    if (!ec) needed += static_cast<double>(size);
  }
  std::string which;
  const fs::path folder = fs::absolute(fs::path(path_)).parent_path();
  if (const std::optional<double> room = room_in(folder, which); room && needed > *room) {
    throw Error(ErrorCode::kIo, path_ + ": cannot merge the batch's " + std::to_string(run_order.size()) +
                                    " runs: they need about " + megabytes(needed) + " and " +
                                    megabytes(*room) + " is " + which +
                                    "; free some space or write elsewhere, then run the "
                                    "batch again (the finished runs in " +
                                    parts_ + " are kept)");
  }
  Hdf5ResultFile file(path_, command_);
  for (const std::string& id : run_order) {
    throw_if_interrupted("while merging " + path_ + "; the finished runs are kept in " + parts_ +
                         ": run the same command again to resume");
    file.copy_run(part_path(id), id);
  }
  if (analyses.uncertainty != nullptr) file.set_uncertainty(*analyses.uncertainty);
  if (analyses.macc != nullptr) file.set_macc(*analyses.macc);
  file.commit();
  committed_ = true;
  // The parts go before the scenario.yaml that names their batch (remove_all takes the folder's
  // entries in directory order), so that a process killed midway never leaves finished parts without
  // it; the next batch would refuse them.
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(parts_, ec)) {
    if (entry.path().filename() != "scenario.yaml") entries.push_back(entry.path());
  }
  for (const fs::path& entry : entries) fs::remove_all(entry, ec);
  fs::remove_all(parts_, ec);
}

void Hdf5ResultFile::set_uncertainty(const UncertaintyAnalysis& analysis) { impl_->uncertainty = analysis; }

void Hdf5ResultFile::set_macc(const MaccAnalysis& analysis) { impl_->macc = analysis; }

namespace {

// /uncertainty and /sensitivity (docs/results-schema.md).
void write_uncertainty(Writer& w, hid_t file, const UncertaintyAnalysis& a) {
  Handle group = w.group(file, "uncertainty");
  w.attr(group.get(), "method", a.method);
  w.attr(group.get(), "seed", static_cast<long long>(a.seed));
  w.attr(group.get(), "samples", static_cast<long long>(a.samples));
  w.attr(group.get(), "levels", static_cast<long long>(a.levels));
  w.attr(group.get(), "reference", a.reference);
  w.attr(group.get(), "percentiles",
         std::string("P10, P50, P90 by linear interpolation between order statistics (Hyndman & Fan "
                     "definition 7, numpy's default), over the runs where the output is finite"));
  const Handle sample = w.scale(group.get(), "sample", a.sample_runs);
  const Handle input = w.scale(group.get(), "input", a.inputs);
  const Handle output = w.scale(group.get(), "output", a.outputs);
  Handle dist = w.strings(group.get(), "distribution", a.distributions);
  w.attach(dist, input, 0);
  Handle units = w.strings(group.get(), "output_unit", a.output_units);
  w.attach(units, output, 0);
  if (!a.reference_runs.empty()) {
    Handle ref = w.strings(group.get(), "reference_run", a.reference_runs);
    w.attach(ref, sample, 0);
  }
  const auto table = [&](hid_t loc, const char* name, const std::vector<double>& values, const Handle& rows,
                         const Handle& cols, std::size_t n_rows, std::size_t n_cols) {
    Handle ds = w.array(loc, name, values, {n_rows, n_cols}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attach(ds, rows, 0);
    w.attach(ds, cols, 1);
  };
  const std::size_t n = a.sample_runs.size();
  table(group.get(), "input_value", a.sample_values, sample, input, n, a.inputs.size());
  table(group.get(), "output_value", a.output_values, sample, output, n, a.outputs.size());
  for (const auto& [name, values] : std::vector<std::pair<const char*, const std::vector<double>*>>{
           {"p10", &a.p10}, {"p50", &a.p50}, {"p90", &a.p90}, {"mean", &a.mean}}) {
    Handle ds = w.numbers(group.get(), name, *values, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attach(ds, output, 0);
  }
  if (a.sensitivity.empty()) return;
  Handle sens = w.group(file, "sensitivity");
  w.attr(sens.get(), "method", a.sensitivity);
  const Handle s_input = w.scale(sens.get(), "input", a.inputs);
  const Handle s_output = w.scale(sens.get(), "output", a.outputs);
  const std::size_t k = a.inputs.size();
  const std::size_t n_out = a.outputs.size();
  const std::vector<std::pair<const char*, const std::vector<double>*>> measures =
      a.sensitivity == "sobol"
          ? std::vector<std::pair<const char*, const std::vector<double>*>>{{"first", &a.first},
                                                                            {"total", &a.total},
                                                                            {"first_ci", &a.first_ci},
                                                                            {"total_ci", &a.total_ci}}
          : std::vector<std::pair<const char*, const std::vector<double>*>>{
                {"mu", &a.mu}, {"mu_star", &a.mu_star}, {"sigma", &a.sigma}};
  for (const auto& [name, values] : measures) table(sens.get(), name, *values, s_output, s_input, n_out, k);
}

// /macc (docs/results-schema.md).
void write_macc(Writer& w, hid_t file, const MaccAnalysis& m) {
  Handle group = w.group(file, "macc");
  w.attr(group.get(), "reference_run", m.reference_run);
  const Handle row = w.scale(group.get(), "intervention", m.intervention);
  Handle run = w.strings(group.get(), "run", m.run);
  w.attach(run, row, 0);
  w.column(group.get(), "tco2e_abated", m.tco2e_abated, "tCO2eq/year", row);
  w.column(group.get(), "delta_annualised_cost_krw", m.delta_annualised_cost_krw, "KRW/year", row);
  w.column(group.get(), "delta_energy_cost_krw", m.delta_energy_cost_krw, "KRW/year", row);
  w.column(group.get(), "net_annual_cost_krw", m.net_annual_cost_krw, "KRW/year", row);
  w.column(group.get(), "krw_per_tco2e_net", m.krw_per_tco2e_net, "KRW/tCO2eq", row);
}

}  // namespace

void Hdf5ResultFile::commit() {
  Writer& w = impl_->writer;
  if (impl_->uncertainty) write_uncertainty(w, impl_->file.get(), *impl_->uncertainty);
  if (impl_->macc) write_macc(w, impl_->file.get(), *impl_->macc);
  Handle index = w.group(impl_->file.get(), "index");
  std::vector<long long> runs;
  std::vector<std::string> run_ids, scenarios, statuses, parameters;
  for (std::size_t i = 0; i < impl_->index.size(); ++i) {
    const auto& r = impl_->index[i];
    runs.push_back(static_cast<long long>(i));
    run_ids.push_back(r.run_id);
    scenarios.push_back(r.scenario);
    statuses.push_back(r.status);
    parameters.push_back(r.parameters);
  }
  Handle run = w.numbers(index.get(), "run", runs, H5T_STD_I64LE, H5T_NATIVE_LLONG);
  w.make_scale(run, "run");
  for (auto& [name, column] :
       std::vector<std::pair<const char*, const std::vector<std::string>*>>{{"run_id", &run_ids},
                                                                            {"scenario", &scenarios},
                                                                            {"status", &statuses},
                                                                            {"parameters", &parameters}}) {
    Handle ds = w.strings(index.get(), name, *column);
    w.attach(ds, run, 0);
  }
  for (const KpiId id : index_kpis()) {
    const std::string key = kpi_key(id);
    std::vector<double> column;
    for (const auto& r : impl_->index) {
      auto it = r.kpis.find(key);
      column.push_back(it == r.kpis.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
    }
    Handle ds = w.numbers(index.get(), key, column, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    w.attr(ds.get(), "units", std::string(kpi_info(id).unit));
    w.attach(ds, run, 0);
    // An uncertainty batch: the column's percentiles over the samples (as /uncertainty has them).
    if (impl_->uncertainty) {
      const auto& u = *impl_->uncertainty;
      const auto at = std::find(u.outputs.begin(), u.outputs.end(), key);
      if (at != u.outputs.end()) {
        const auto o = static_cast<std::size_t>(at - u.outputs.begin());
        w.attr(ds.get(), "p10", u.p10[o]);
        w.attr(ds.get(), "p50", u.p50[o]);
        w.attr(ds.get(), "p90", u.p90[o]);
      }
    }
  }
  index.reset();
  run.reset();
  if (H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) < 0) {
    throw Error(ErrorCode::kIo, impl_->path + ": cannot flush the results file (disk full?)");
  }
  impl_->file.reset();
  rename_onto_file(impl_->temp_path, impl_->path);
  impl_->committed = true;
}

}  // namespace sandan
