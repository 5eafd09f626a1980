#include "mpi/batch_group.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

namespace sandan::mpi {

namespace {

constexpr int kTagDraw = 1;   // rank → 0: 1 asks for an index, 0 says the rank draws no more
constexpr int kTagIndex = 2;  // 0 → rank: the index handed out, −1 when none is left

}  // namespace

Group::Group(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized == 0) {
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided);
    finalize_ = true;
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      finalize_ = false;
      throw Error(ErrorCode::kInternal,
                  "the MPI library does not allow calls from more than one thread (MPI_THREAD_SERIALIZED), "
                  "which a batch needs");
    }
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Group::~Group() {
  if (server_.joinable()) {
    // Only reached when an exception skipped end_runs(): the other ranks may still be drawing.
    std::fprintf(stderr, "sandan: internal error: the batch ended while ranks were still drawing runs\n");
    MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ErrorCode::kInternal));
  }
  if (finalize_) MPI_Finalize();
}

void Group::wait(void* request) const {
  auto* req = static_cast<MPI_Request*>(request);
  auto pause = std::chrono::microseconds(20);
  for (;;) {
    int done = 0;
    MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (done != 0) return;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
}

std::optional<BatchGroup::Failure> Group::agree(const std::optional<Failure>& mine) {
  int me = mine ? rank_ : size_;
  int first = size_;
  MPI_Request req = MPI_REQUEST_NULL;
  MPI_Iallreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &req);
  wait(&req);
  if (first == size_) return std::nullopt;
  int code = mine && first == rank_ ? static_cast<int>(mine->code) : 0;
  MPI_Bcast(&code, 1, MPI_INT, first, MPI_COMM_WORLD);
  std::string text = mine && first == rank_ ? mine->message : std::string();
  unsigned long long length = text.size();
  MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, first, MPI_COMM_WORLD);
  text.resize(length);
  MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, first, MPI_COMM_WORLD);
  Failure failure{static_cast<ErrorCode>(code), std::move(text)};
  if (first != 0) failure.message = "MPI rank " + std::to_string(first) + ": " + failure.message;
  return failure;
}

std::string Group::broadcast(const std::string& from_leader) {
  std::string text = rank_ == 0 ? from_leader : std::string();
  unsigned long long length = text.size();
  MPI_Request req = MPI_REQUEST_NULL;
  MPI_Ibcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD, &req);
  wait(&req);
  text.resize(length);
  MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, 0, MPI_COMM_WORLD);
  return text;
}

std::vector<std::string> Group::gather(const std::string& mine) {
  int length = static_cast<int>(mine.size());
  std::vector<int> lengths(rank_ == 0 ? size_ : 0);
  MPI_Request req = MPI_REQUEST_NULL;
  MPI_Igather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
  wait(&req);
  std::vector<int> offsets(lengths.size(), 0);
  for (std::size_t r = 1; r < lengths.size(); ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
  std::string all(rank_ == 0 ? static_cast<std::size_t>(offsets.back() + lengths.back()) : 0, '\0');
  MPI_Gatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR, 0,
              MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r) out.push_back(all.substr(offsets[r], lengths[r]));
  return out;
}

void Group::start_runs(std::size_t total) {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    counter_ = 0;
    total_ = total;
    stop_ = false;
  }
  exhausted_ = false;
  if (rank_ == 0 && size_ > 1) server_ = std::thread(&Group::serve, this);
}

void Group::serve() {
  int active = size_ - 1;  // ranks that may still ask
  while (active > 0) {
    int message = 0;
    MPI_Status status;
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Irecv(&message, 1, MPI_INT, MPI_ANY_SOURCE, kTagDraw, MPI_COMM_WORLD, &req);
    // Polled rather than blocking: a blocking receive would spin on a core rank 0's runs need.
    auto pause = std::chrono::microseconds(20);
    for (int done = 0; done == 0;) {
      MPI_Test(&req, &done, &status);
      if (done == 0) {
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(500));
      }
    }
    if (message == 0) {
      --active;
      continue;
    }
    long long index = -1;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!stop_ && counter_ < total_) index = static_cast<long long>(counter_++);
    }
    MPI_Send(&index, 1, MPI_LONG_LONG, status.MPI_SOURCE, kTagIndex, MPI_COMM_WORLD);
    if (index < 0) --active;
  }
}

std::optional<std::size_t> Group::next() {
  if (rank_ == 0) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stop_ || counter_ >= total_) return std::nullopt;
    return counter_++;
  }
  if (exhausted_) return std::nullopt;
  const int ask = 1;
  MPI_Send(&ask, 1, MPI_INT, 0, kTagDraw, MPI_COMM_WORLD);
  long long index = -1;
  MPI_Recv(&index, 1, MPI_LONG_LONG, 0, kTagIndex, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (index < 0) {
    exhausted_ = true;
    return std::nullopt;
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  counter_ = std::max(counter_, static_cast<std::size_t>(index) + 1);
  return static_cast<std::size_t>(index);
}

std::size_t Group::handed_out() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return std::min(counter_, total_);
}

void Group::end_runs() {
  if (rank_ == 0) {
    {
      // Runs rank 0 did not draw stay undone when it stops early (an error): nobody gets more.
      const std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    if (server_.joinable()) server_.join();
    return;
  }
  if (!exhausted_) {
    const int leave = 0;
    MPI_Send(&leave, 1, MPI_INT, 0, kTagDraw, MPI_COMM_WORLD);
    exhausted_ = true;
  }
}

}  // namespace sandan::mpi
