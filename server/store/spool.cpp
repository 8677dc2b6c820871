#include "server/store/spool.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "server/store/crc32.hpp"

namespace hemalink::store {

using records::Direction;
using records::MessageStatus;
using records::Receipt;

namespace {

constexpr std::string_view kMagic = "HLS1";
constexpr std::size_t kHeaderSize = 12;  // magic, payload length, CRC-32 of the payload
constexpr std::uint32_t kMaxPayload = 256U * 1024U * 1024U;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

void put_text(std::string& out, std::string_view text) {
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.append(text);
}

std::uint64_t get_le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) {
    v |= static_cast<std::uint64_t>(
             static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]))
         << (8 * i);
  }
  return v;
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool take(std::size_t n, std::string_view& out) {
    if (bytes_.size() - at_ < n)
      return false;
    out = bytes_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool u8(std::uint8_t& v) {
    std::string_view s;
    if (!take(1, s))
      return false;
    v = static_cast<std::uint8_t>(s[0]);
    return true;
  }
  bool u64(std::uint64_t& v) {
    std::string_view s;
    if (!take(8, s))
      return false;
    v = get_le(s, 0, 8);
    return true;
  }
  bool text(std::string& v) {
    std::string_view s;
    if (!take(4, s))
      return false;
    const auto n = get_le(s, 0, 4);
    if (!take(static_cast<std::size_t>(n), s))
      return false;
    v.assign(s);
    return true;
  }
  bool at_end() const { return at_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

StoreError io_error(std::string_view what, const std::filesystem::path& path) {
  return StoreError{make_error_code(StoreErrc::Fatal),
                    fmt::format("spool {}: {}: {}", path.string(), what, std::strerror(errno))};
}

Result<void, StoreError> write_all(int fd, std::string_view data, std::uint64_t offset,
                                   const std::filesystem::path& path) {
  while (!data.empty()) {
    const auto n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return io_error("cannot write", path);
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

bool read_exact(int fd, std::string& out, std::size_t n, std::uint64_t offset) {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    const auto r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return false;
    done += static_cast<std::size_t>(r);
  }
  return true;
}

// A valid record at `at`: its total size; 0 when there is none.
std::size_t record_at(std::string_view file, std::size_t at) {
  if (file.size() - at < kHeaderSize || file.substr(at, 4) != kMagic)
    return 0;
  const auto length = get_le(file, at + 4, 4);
  if (length > kMaxPayload || file.size() - at - kHeaderSize < length)
    return 0;
  const auto payload = file.substr(at + kHeaderSize, static_cast<std::size_t>(length));
  if (crc32(payload) != get_le(file, at + 8, 4))
    return 0;
  return kHeaderSize + static_cast<std::size_t>(length);
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

std::string encode_receipt(const Receipt& r) {
  std::string out;
  out.reserve(r.raw.size() + 128);
  out.append(reinterpret_cast<const char*>(r.id.bytes().data()), r.id.bytes().size());
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(r.received_at.time_since_epoch());
  put_u64(out, static_cast<std::uint64_t>(micros.count()));
  out.push_back(static_cast<char>(r.direction));
  out.push_back(static_cast<char>(r.protocol));
  out.push_back(static_cast<char>(r.link_status));
  put_text(out, r.analyzer);
  put_text(out, r.driver);
  put_text(out, r.peer_address);
  put_text(out, r.link_reason);
  put_text(out, r.raw);
  return out;
}

std::optional<Receipt> decode_receipt(std::string_view payload) {
  Reader in(payload);
  Receipt r;
  std::string_view id;
  std::uint64_t micros = 0;
  std::uint8_t direction = 0, protocol = 0, status = 0;
  if (!in.take(16, id) || !in.u64(micros) || !in.u8(direction) || !in.u8(protocol) ||
      !in.u8(status) || direction > 1 || protocol > 2 || status > 3) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), id.data(), bytes.size());
  r.id = model::MessageId(bytes);
  r.received_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(static_cast<std::int64_t>(micros))));
  r.direction = static_cast<Direction>(direction);
  r.protocol = static_cast<model::WireProtocol>(protocol);
  r.link_status = static_cast<MessageStatus>(status);
  if (!in.text(r.analyzer) || !in.text(r.driver) || !in.text(r.peer_address) ||
      !in.text(r.link_reason) || !in.text(r.raw) || !in.at_end()) {
    return std::nullopt;
  }
  return r;
}

Spool::~Spool() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

Spool::Spool(Spool&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      records_(std::move(other.records_)),
      next_(other.next_),
      pending_(other.pending_),
      recovery_(std::move(other.recovery_)) {}

Spool& Spool::operator=(Spool&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    records_ = std::move(other.records_);
    next_ = other.next_;
    pending_ = other.pending_;
    recovery_ = std::move(other.recovery_);
  }
  return *this;
}

Result<Spool, StoreError> Spool::open(const std::filesystem::path& path) {
  Spool spool;
  spool.path_ = path;
  spool.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (spool.fd_ < 0) {
    return io_error("cannot open", path);
  }
  sync_directory(path.parent_path());
  if (auto scanned = spool.scan(); !scanned) {
    return scanned.error();
  }
  return spool;
}

Result<void, StoreError> Spool::scan() {
  const auto end = ::lseek(fd_, 0, SEEK_END);
  if (end < 0)
    return io_error("cannot seek", path_);
  std::string file;
  if (!read_exact(fd_, file, static_cast<std::size_t>(end), 0)) {
    return io_error("cannot read", path_);
  }
  std::size_t at = 0;
  std::uint64_t valid_end = 0;
  while (at < file.size()) {
    if (const auto n = record_at(file, at)) {
      recovery_.damaged_bytes += at - valid_end;  // bytes skipped to get here
      records_.push_back(at);
      at += n;
      valid_end = at;
      continue;
    }
    const auto next = file.find(kMagic, at + 1);
    if (next == std::string::npos)
      break;
    at = next;
  }
  recovery_.torn_bytes = file.size() - valid_end;
  if (recovery_.damaged_bytes > 0) {
    recovery_.damaged_copy = path_;
    recovery_.damaged_copy +=
        fmt::format(".damaged-{}", std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    std::error_code ec;
    std::filesystem::copy_file(path_, recovery_.damaged_copy, ec);
  }
  if (valid_end < file.size() && ::ftruncate(fd_, static_cast<off_t>(valid_end)) != 0) {
    return io_error("cannot cut off a torn record", path_);
  }
  size_ = valid_end;
  recovery_.records = records_.size();
  pending_ = records_.size();
  return {};
}

Result<void, StoreError> Spool::append(std::span<const Receipt* const> receipts) {
  std::string data;
  std::vector<std::uint64_t> starts;
  for (const Receipt* r : receipts) {
    const auto payload = encode_receipt(*r);
    starts.push_back(size_ + data.size());
    data.append(kMagic);
    put_u32(data, static_cast<std::uint32_t>(payload.size()));
    put_u32(data, crc32(payload));
    data.append(payload);
  }
  if (auto written = write_all(fd_, data, size_, path_); !written) {
    return written;
  }
  if (::fdatasync(fd_) != 0) {
    return io_error("cannot fsync", path_);
  }
  size_ += data.size();
  records_.insert(records_.end(), starts.begin(), starts.end());
  pending_ += receipts.size();
  return {};
}

Result<SpoolChunk, StoreError> Spool::peek(std::size_t max) const {
  SpoolChunk chunk;
  std::string header;
  std::string payload;
  for (std::size_t i = next_; i < records_.size() && chunk.receipts.size() < max; ++i) {
    if (!read_exact(fd_, header, kHeaderSize, records_[i]) ||
        !read_exact(fd_, payload, static_cast<std::size_t>(get_le(header, 4, 4)),
                    records_[i] + kHeaderSize)) {
      return io_error(fmt::format("cannot read the record at byte {}", records_[i]), path_);
    }
    auto receipt = decode_receipt(payload);
    if (!receipt || crc32(payload) != get_le(header, 8, 4)) {
      return StoreError{make_error_code(StoreErrc::Fatal),
                        fmt::format("spool {}: the record at byte {} does not decode",
                                    path_.string(), records_[i])};
    }
    chunk.receipts.push_back(std::move(*receipt));
  }
  return chunk;
}

void Spool::mark_replayed(const SpoolChunk& chunk) {
  next_ += chunk.receipts.size();
  pending_ -= std::min(pending_, chunk.receipts.size());
}

Result<void, StoreError> Spool::clear() {
  if (::ftruncate(fd_, 0) != 0 || ::fdatasync(fd_) != 0) {
    return io_error("cannot empty", path_);
  }
  size_ = 0;
  records_.clear();
  next_ = 0;
  pending_ = 0;
  return {};
}

}  // namespace hemalink::store
