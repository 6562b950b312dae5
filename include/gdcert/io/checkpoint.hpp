// Checkpoint log of a long job: finished work items appended, checksummed and fsync'ed, so a job killed at any moment resumes where it stopped (docs/design.md, "Jobs and checkpoints").
#pragma once

#include <gdcert/io/atomic_file.hpp>
#include <gdcert/io/io_error.hpp>

#include <boost/crc.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gdcert {

/// The bytes a work item returns (jobs/job.hpp): opaque to the log.
using item_bytes = std::vector<std::uint8_t>;

/// A finished work item: its index in the job, its result bytes and what it cost.
struct item_record {
  std::size_t index = 0;
  double seconds = 0; ///< wall time of the item on one thread
  int rank = 0;       ///< the MPI rank (0 without MPI) that computed it
  item_bytes bytes;
};

/// A checkpoint that cannot be used: written for another job (parameters, item count or gdcert
/// version differ) or damaged (bad magic, checksum or index). Never silently mixed or repaired.
class checkpoint_error : public io_error {
public:
  using io_error::io_error;
};

/// The append-only log of a job's finished items.
///
/// File layout: the text header `gdcert-checkpoint 1\n`, `description-bytes L\n`, the job's
/// description (L bytes: every parameter that determines the results, the item count and the
/// gdcert version), `\ncrc32 XXXXXXXX\n`; then one binary record per finished item: the marker
/// `GDCK`, index (u64), rank (u32), seconds (f64), payload length (u64), payload, and a CRC-32
/// (Boost.CRC) of everything after the marker.
///
/// Atomicity. The header is written through atomic_output (temporary, fsync, rename): a file of
/// that name either has a whole header or does not exist. Each batch of records is appended with
/// write() and made durable with fsync before append() returns. A record cut short (the process
/// or machine died during its write) can only be the last one: opening the log drops it (and
/// truncates the file to the last whole record), so at most the items in flight are lost. A whole
/// record whose checksum fails, a bad marker or an index out of range is damage, and opening
/// throws checkpoint_error rather than guess.
class checkpoint_log {
public:
  /// Opens `file` for the job `description` with `items` items: creates it when absent, else
  /// reads its records. Throws checkpoint_error for a file of another job or a damaged one,
  /// io_error when it cannot be created, read or opened for appending.
  checkpoint_log(std::filesystem::path file, std::string_view description, std::size_t items)
      : file_(std::move(file)), items_(items) {
    struct ::stat status {};
    if (::stat(file_.c_str(), &status) != 0)
      create(description);             // absent (or a dangling link: its target is created)
    else if (!S_ISREG(status.st_mode)) // a FIFO would block the read, a device has no records
      throw checkpoint_error("gdcert: checkpoint " + file_.string() + " is " +
                             detail::io::kind_name(status.st_mode) +
                             "; a checkpoint must be a regular file");
    read(description);
    descriptor_ = ::open(file_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (descriptor_ < 0)
      fail("could not open for appending");
  }
  checkpoint_log(const checkpoint_log&) = delete;
  checkpoint_log& operator=(const checkpoint_log&) = delete;
  ~checkpoint_log() {
    if (descriptor_ >= 0)
      (void)::close(descriptor_);
  }

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
  /// The records found when the log was opened (finished before a restart), in file order.
  [[nodiscard]] const std::vector<item_record>& recovered() const noexcept { return recovered_; }
  /// Bytes of a record cut short at the end of the file, dropped when it was opened (0 if none).
  [[nodiscard]] std::size_t dropped_bytes() const noexcept { return dropped_; }

  /// Appends the records and fsyncs once. Throws io_error on a failed write or sync (then the
  /// records may or may not be in the log; the next open keeps every whole one).
  void append(const std::vector<const item_record*>& records) {
    if (records.empty())
      return;
    std::string buffer;
    for (const item_record* r : records)
      encode(*r, buffer);
    const char* data = buffer.data();
    std::size_t left = buffer.size();
    while (left > 0) {
      const ::ssize_t written = ::write(descriptor_, data, left);
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        fail("could not append to");
      data += written;
      left -= static_cast<std::size_t>(written);
    }
    if (::fsync(descriptor_) != 0)
      fail("could not flush");
  }
  void append(const item_record& record) { append(std::vector<const item_record*>{&record}); }

private:
  static constexpr std::string_view magic = "gdcert-checkpoint 1\n";
  static constexpr char marker[4] = {'G', 'D', 'C', 'K'};
  /// Fixed part of a record after the marker: index, rank, seconds, length.
  static constexpr std::size_t fixed = 8 + 4 + 8 + 8;

  static std::uint32_t crc(const char* data, std::size_t size) {
    boost::crc_32_type sum;
    sum.process_bytes(data, size);
    return sum.checksum();
  }
  template <class T>
  static void put(std::string& out, const T& value) {
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    out.append(raw, sizeof(T));
  }
  template <class T>
  static T get(const char* data) {
    T value;
    std::memcpy(&value, data, sizeof(T));
    return value;
  }
  static std::string hex(std::uint32_t value) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(8, '0');
    for (int i = 7; i >= 0; --i, value >>= 4)
      out[static_cast<std::size_t>(i)] = digits[value & 15];
    return out;
  }

  static void encode(const item_record& r, std::string& out) {
    out.append(marker, sizeof marker);
    const std::size_t start = out.size();
    put<std::uint64_t>(out, r.index);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(r.rank));
    put<double>(out, r.seconds);
    put<std::uint64_t>(out, r.bytes.size());
    out.append(reinterpret_cast<const char*>(r.bytes.data()), r.bytes.size());
    put<std::uint32_t>(out, crc(out.data() + start, out.size() - start));
  }

  [[nodiscard]] std::string header(std::string_view description) const {
    std::string out(magic);
    out += "description-bytes " + std::to_string(description.size()) + "\n";
    out += description;
    out += "\ncrc32 " + hex(crc(description.data(), description.size())) + "\n";
    return out;
  }

  void create(std::string_view description) {
    atomic_output out(file_, special_files::refuse); // a log is a regular file, never a device
    out.write(header(description));
    out.commit();
  }

  [[noreturn]] void damaged(const std::string& what) const {
    throw checkpoint_error("gdcert: checkpoint " + file_.string() + " is damaged: " + what +
                           "; it is left as it is (move it away to start the job again)");
  }

  /// The first line where two descriptions differ, for the mismatch message.
  static std::string first_difference(std::string_view stored, std::string_view wanted) {
    auto line = [](std::string_view text, std::size_t& at) {
      const std::size_t end = std::min(text.find('\n', at), text.size());
      std::string_view out = at < text.size() ? text.substr(at, end - at) : std::string_view{};
      at = end + 1;
      return out;
    };
    std::size_t a = 0, b = 0;
    while (a <= stored.size() || b <= wanted.size()) {
      const std::string_view x = line(stored, a), y = line(wanted, b);
      if (x != y)
        return "it records \"" + std::string(x) + "\" where this job has \"" + std::string(y) +
               "\"";
    }
    return "the descriptions differ";
  }

  void read(std::string_view description) {
    std::ifstream in(file_, std::ios::binary);
    if (!in)
      fail("could not read");
    const std::string content((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
    if (in.bad())
      fail("could not read");
    if (content.compare(0, magic.size(), magic) != 0)
      damaged("it does not start with \"gdcert-checkpoint 1\"");
    std::size_t at = magic.size();
    const std::string_view length_key = "description-bytes ";
    const std::size_t line_end = content.find('\n', at);
    if (content.compare(at, length_key.size(), length_key) != 0 || line_end == std::string::npos)
      damaged("its header has no description length");
    std::size_t stored_length = 0;
    try {
      stored_length = std::stoull(content.substr(at + length_key.size()));
    } catch (const std::exception&) {
      damaged("its description length is not a number");
    }
    at = line_end + 1;
    if (stored_length > content.size() - at)
      damaged("its header is shorter than its description length");
    const std::string_view stored(content.data() + at, stored_length);
    const std::string crc_line = "\ncrc32 " + hex(crc(stored.data(), stored.size())) + "\n";
    if (content.compare(at + stored_length, crc_line.size(), crc_line) != 0)
      damaged("the checksum of its header fails");
    if (stored != description)
      throw checkpoint_error("gdcert: checkpoint " + file_.string() +
                             " belongs to another job (other parameters, item count or gdcert "
                             "version): " +
                             first_difference(stored, description) +
                             "; use another checkpoint file, or remove this one to start again");
    at += stored_length + crc_line.size();
    std::vector<std::uint8_t> seen(items_, 0);
    while (at < content.size()) {
      const std::size_t left = content.size() - at;
      if (left < sizeof marker + fixed + 4) {
        cut_short(at, left);
        return;
      }
      if (std::memcmp(content.data() + at, marker, sizeof marker) != 0)
        damaged("no record marker at byte " + std::to_string(at));
      const char* body = content.data() + at + sizeof marker;
      const auto length = get<std::uint64_t>(body + 20);
      if (length > left - sizeof marker - fixed - 4) {
        cut_short(at, left);
        return;
      }
      const std::size_t body_size = fixed + static_cast<std::size_t>(length);
      if (get<std::uint32_t>(body + body_size) != crc(body, body_size))
        damaged("the checksum of the record at byte " + std::to_string(at) + " fails");
      item_record r;
      r.index = static_cast<std::size_t>(get<std::uint64_t>(body));
      r.rank = static_cast<int>(get<std::uint32_t>(body + 8));
      r.seconds = get<double>(body + 12);
      if (r.index >= items_)
        damaged("the record at byte " + std::to_string(at) + " has item " +
                std::to_string(r.index) + " of a job with " + std::to_string(items_) + " items");
      if (seen[r.index])
        damaged("item " + std::to_string(r.index) + " is recorded twice");
      seen[r.index] = 1;
      r.bytes.assign(body + fixed, body + body_size);
      recovered_.push_back(std::move(r));
      at += sizeof marker + body_size + 4;
    }
  }

  /// A record cut short at `at` (the end of the file): drop it, so appends start clean.
  void cut_short(std::size_t at, std::size_t left) {
    dropped_ = left;
    if (::truncate(file_.c_str(), static_cast<::off_t>(at)) != 0)
      fail("could not drop the incomplete last record of");
  }

  [[noreturn]] void fail(const char* what) const {
    throw io_error("gdcert: " + std::string(what) + " checkpoint " + file_.string() + " (" +
                   std::strerror(errno) + ")");
  }

  std::filesystem::path file_;
  std::size_t items_ = 0;
  std::vector<item_record> recovered_;
  std::size_t dropped_ = 0;
  int descriptor_ = -1;
};

} // namespace gdcert
