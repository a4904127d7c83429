#pragma once
// A worker's free list of body-relay buffers. A request borrows one for the time it relays
// bodies and gives it back when done, so the buffer is not part of the request's coroutine
// frame: a 64 KiB array there made every request's frame a large heap block (a malloc with
// fastbin consolidation and a free per request, visible in the keep-alive profile). Memory
// follows the requests in flight, not the idle keep-alive connections. One worker thread only.
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace minewall::proxy {

class RelayBuffers {
  public:
    static constexpr std::size_t buffer_size = 64 * 1024;
    static constexpr std::size_t max_kept = 32;  // free buffers kept beyond that are released

    class Lease {
      public:
        Lease(RelayBuffers& owner, std::unique_ptr<char[]> buffer)
            : owner_(&owner), buffer_(std::move(buffer)) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease() {
            if (buffer_) owner_->give_back(std::move(buffer_));
        }
        std::span<char> span() const { return {buffer_.get(), buffer_size}; }

      private:
        RelayBuffers* owner_;
        std::unique_ptr<char[]> buffer_;
    };

    Lease borrow() {
        if (free_.empty()) return Lease(*this, std::make_unique_for_overwrite<char[]>(buffer_size));
        Lease lease(*this, std::move(free_.back()));
        free_.pop_back();
        return lease;
    }
    std::size_t kept() const { return free_.size(); }

  private:
    void give_back(std::unique_ptr<char[]> buffer) {
        if (free_.size() < max_kept) free_.push_back(std::move(buffer));
    }

    std::vector<std::unique_ptr<char[]>> free_;
};

}  // namespace minewall::proxy
