#include "policy/feed_cache.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "text/read_file.hpp"

namespace minewall::policy {
namespace {

std::uint64_t fnv1a(std::string_view s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

}  // namespace

FeedCache::FeedCache(std::string directory) : directory_(std::move(directory)) {}

std::string FeedCache::path_for(const FeedSpec& feed) const {
    std::string name;
    for (char c : feed.name) {
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
        name.push_back(keep ? c : '_');
    }
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx",
                  static_cast<unsigned long long>(fnv1a(feed.source)));
    return (std::filesystem::path(directory_) / (name + "-" + hash + ".feed")).string();
}

std::optional<std::string> FeedCache::load(const FeedSpec& feed) const {
    if (!enabled()) return std::nullopt;
    return text::read_file(path_for(feed)).content;
}

bool FeedCache::store(const FeedSpec& feed, std::string_view content, std::string* error) const {
    if (!enabled()) return false;
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
    if (ec) {
        if (error) *error = "cannot create " + directory_ + ": " + ec.message();
        return false;
    }
    std::string path = path_for(feed);
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            if (error) *error = "cannot write " + tmp;
            std::filesystem::remove(tmp, ec);
            return false;
        }
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        if (error) *error = "cannot replace " + path + ": " + ec.message();
        std::filesystem::remove(tmp, ec);
        return false;
    }
    return true;
}

}  // namespace minewall::policy
