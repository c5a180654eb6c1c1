// MpmcRing: a bounded, lock-free FIFO of pointers for any number of producers and consumers
// (Dmitry Vyukov's bounded MPMC queue).
//
// Every push takes the next position, a 64-bit count of all pushes so far, and every pop takes
// the oldest position not yet popped, so positions order items by arrival. Each cell carries a
// sequence number saying whether it is free for the push of its position, or holds the item
// of its position and is ready to pop.
//
//   MpmcRing<Node> ring(1024);
//   ring.TryPush(node);                          // false when full
//   Node* oldest; uint64_t position;
//   if (ring.TryPop(&oldest, &position)) ...     // false when empty
//
// Memory: a zero cell is one ready for its first push, so the cells come zeroed from calloc,
// which for a large ring maps fresh pages. A lazy ring leaves them so: it costs memory only for
// the cells it has used, and the push that first writes a page takes its page fault (a few
// microseconds). Otherwise the constructor writes them all.
//
// Progress: no call waits for another thread. A push that has taken its position but not yet
// stored its item makes pops see the ring as empty from that position on, until it finishes
// (a few instructions later, unless its thread is preempted); callers treat that as empty.
#ifndef LLMTAP_SDK_SRC_MPMC_RING_H_
#define LLMTAP_SDK_SRC_MPMC_RING_H_

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace llmtap::internal {

template <typename T>
class MpmcRing {
 public:
  // Whether the constructor writes all cells (see Memory above) or leaves them to the pushes.
  enum class Memory { kEager, kLazy };
  // Holds at least `capacity` items (rounded up to a power of two).
  explicit MpmcRing(size_t capacity, Memory memory = Memory::kEager)
      : mask_(std::bit_ceil(std::max<size_t>(capacity, 2)) - 1),
        cells_(static_cast<Cell*>(std::calloc(mask_ + 1, sizeof(Cell)))) {
    if (cells_ == nullptr) throw std::bad_alloc();
    if (memory == Memory::kEager) std::memset(static_cast<void*>(cells_.get()), 0, Bytes());
  }
  MpmcRing(const MpmcRing&) = delete;
  MpmcRing& operator=(const MpmcRing&) = delete;

  // Appends `item`; false when the ring is full. The position is claimed with a sequentially
  // consistent read-modify-write, so a caller may pair it with a seq_cst load of its own
  // (a "someone is asleep" flag) without a fence. Sets *contended (when given) if another
  // push took the position this one was after.
  bool TryPush(T* item, bool* contended = nullptr) {
    uint64_t position = tail_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[position & mask_];
      const uint64_t sequence = Sequence(cell, position, std::memory_order_acquire);
      const auto lag = static_cast<int64_t>(sequence - position);
      if (lag == 0) {
        if (tail_.compare_exchange_weak(position, position + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          break;
        }
        if (contended != nullptr) *contended = true;
      } else if (lag < 0) {
        return false;  // The cell still holds the item from one lap ago: full.
      } else {
        position = tail_.load(std::memory_order_relaxed);  // Another push took it.
        if (contended != nullptr) *contended = true;
      }
    }
    std::atomic_ref(cell->item).store(item, std::memory_order_relaxed);
    SetSequence(cell, position, position + 1, std::memory_order_release);
    return true;
  }

  // Removes the oldest item into *item and its position into *position; false when empty.
  bool TryPop(T** item, uint64_t* position) {
    uint64_t pos = head_.load(std::memory_order_relaxed);
    Cell* cell;
    for (;;) {
      cell = &cells_[pos & mask_];
      const uint64_t sequence = Sequence(cell, pos, std::memory_order_acquire);
      const auto lag = static_cast<int64_t>(sequence - (pos + 1));
      if (lag == 0) {
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (lag < 0) {
        return false;  // Nothing pushed at this position yet (or not finished).
      } else {
        pos = head_.load(std::memory_order_relaxed);  // Another pop took it.
      }
    }
    *item = std::atomic_ref(cell->item).load(std::memory_order_relaxed);
    *position = pos;
    SetSequence(cell, pos, pos + mask_ + 1, std::memory_order_release);  // Free for next lap.
    return true;
  }

  // The item `ahead` places after the oldest, or null. Another thread may pop and free it at
  // any time: use the pointer only as a hint (to prefetch), never to read through.
  const T* PeekHint(size_t ahead) const {
    const uint64_t pos = head_.load(std::memory_order_relaxed) + ahead;
    return std::atomic_ref(cells_[pos & mask_].item).load(std::memory_order_relaxed);
  }

  // Asks the CPU to start loading the lines a push or a pop will write first (the head, the
  // tail and the cell of each), so that their misses overlap. Only a hint: it loads the two
  // positions and changes nothing.
  void Prefetch() const {
    __builtin_prefetch(&head_, 1);
    __builtin_prefetch(&tail_, 1);
    __builtin_prefetch(&cells_[head_.load(std::memory_order_relaxed) & mask_], 1);
    __builtin_prefetch(&cells_[tail_.load(std::memory_order_relaxed) & mask_], 1);
  }

  // The next position to pop and the next to push: [head, tail) are in the ring or being
  // pushed. tail() is sequentially consistent (see TryPush).
  uint64_t head() const { return head_.load(std::memory_order_acquire); }
  uint64_t tail() const { return tail_.load(std::memory_order_seq_cst); }
  size_t capacity() const { return mask_ + 1; }

 private:
  // Plain integers, accessed atomically through atomic_ref, so that zeroed memory from calloc
  // holds valid cells. The sequence is kept less the cell's index (any position of the cell
  // gives it: the index is position & mask), so that zero means "free for the first push".
  struct Cell {
    uint64_t sequence_less_index;
    T* item;
  };
  size_t Bytes() const { return (mask_ + 1) * sizeof(Cell); }
  struct FreeCells {
    void operator()(Cell* cells) const { std::free(cells); }
  };

  // The sequence number of the cell at `position`.
  uint64_t Sequence(Cell* cell, uint64_t position, std::memory_order order) const {
    return std::atomic_ref(cell->sequence_less_index).load(order) + (position & mask_);
  }
  void SetSequence(Cell* cell, uint64_t position, uint64_t sequence,
                   std::memory_order order) const {
    std::atomic_ref(cell->sequence_less_index).store(sequence - (position & mask_), order);
  }

  const uint64_t mask_;
  const std::unique_ptr<Cell[], FreeCells> cells_;
  // On their own cache lines: producers write tail_, consumers head_.
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_MPMC_RING_H_
