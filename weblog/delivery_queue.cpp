#include "weblog/delivery_queue.hpp"

namespace minewall::weblog {

DeliveryQueue::DeliveryQueue(std::size_t memory_records, std::unique_ptr<SpillFile> spill)
    : memory_records_(memory_records == 0 ? 1 : memory_records), spill_(std::move(spill)) {}

void DeliveryQueue::push(std::vector<std::string>& lines) {
    {
        std::lock_guard lock(mutex_);
        if (memory_.size() + lines.size() > memory_records_) {
            if (spill_) {
                // Memory holds the newest records: all of it goes behind the disk buffer's.
                const std::size_t from_memory = memory_.size();
                const std::size_t stored = spill_->append(memory_.begin(), memory_.end());
                if (stored == from_memory) {
                    memory_.clear();
                    spilled_ += stored;
                    const std::size_t more = spill_->append(lines.begin(), lines.end());
                    spilled_ += more;
                    dropped_ += lines.size() - more;
                    lines.clear();
                } else {
                    // Disk buffer full: keep memory as it is, lose the newest.
                    memory_.erase(memory_.begin(), memory_.begin() + static_cast<long>(stored));
                    spilled_ += stored;
                    dropped_ += lines.size();
                    lines.clear();
                }
            } else {
                const std::size_t room =
                    memory_records_ - std::min(memory_records_, memory_.size());
                const std::size_t lost = lines.size() - std::min(room, lines.size());
                dropped_ += lost;
                lines.resize(lines.size() - lost);
            }
        }
        for (std::string& line : lines)
            memory_.push_back(std::move(line));
    }
    ready_.notify_one();
}

std::size_t DeliveryQueue::take(std::vector<std::string>& out, std::size_t max_records,
                                std::size_t max_bytes, std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    const auto has_records = [&] {
        return !memory_.empty() || (spill_ && spill_->unread_records() > 0);
    };
    ready_.wait_for(lock, wait, [&] { return interrupted_ || has_records(); });
    interrupted_ = false;
    std::size_t taken = 0;
    if (spill_ && spill_->unread_records() > 0) {
        taken = spill_->read(max_records, max_bytes, out);
        replayed_ += taken;
        in_flight_ += taken;
        return taken;
    }
    std::size_t bytes = 0;
    while (!memory_.empty() && taken < max_records && (bytes < max_bytes || taken == 0)) {
        bytes += memory_.front().size();
        out.push_back(std::move(memory_.front()));
        memory_.pop_front();
        ++taken;
    }
    in_flight_ += taken;
    return taken;
}

void DeliveryQueue::persist(const std::vector<std::string>& unsent) {
    std::lock_guard lock(mutex_);
    in_flight_ = 0;
    if (!spill_) {
        dropped_ += unsent.size() + memory_.size();
        memory_.clear();
        return;
    }
    const std::size_t front = spill_->prepend(unsent);
    spilled_ += front;
    dropped_ += unsent.size() - front;
    const std::size_t stored = spill_->append(memory_.begin(), memory_.end());
    spilled_ += stored;
    dropped_ += memory_.size() - stored;
    memory_.clear();
}

void DeliveryQueue::interrupt() {
    {
        std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    ready_.notify_all();
}

std::uint64_t DeliveryQueue::size() const {
    std::lock_guard lock(mutex_);
    return memory_.size() + (spill_ ? spill_->unread_records() : 0);
}

}  // namespace minewall::weblog
