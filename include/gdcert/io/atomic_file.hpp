// Atomic output files: write a temporary in the same folder, check every write, fsync, rename.
#pragma once

#include <gdcert/io/io_error.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gdcert {

/// An output file that appears complete or not at all. The bytes go to a temporary file in the
/// target's folder (`.<name>.XXXXXX`, mkstemp); every write is checked (a full disk or a file-size
/// limit is an io_error, not a short file); commit() fsyncs the temporary, renames it over the
/// target (atomic on POSIX file systems) and fsyncs the folder. Destroyed without commit() (an
/// exception, a rejected argument) it removes the temporary: an existing file of that name is
/// never truncated or damaged, even by `kill -9` at any moment (then only the temporary is left).
class atomic_output {
public:
  /// Creates the temporary next to `file`. Throws gdcert::io_error if it cannot be created.
  explicit atomic_output(std::filesystem::path file) : target_(std::move(file)) {
    const auto folder = target_.has_parent_path() ? target_.parent_path() : ".";
    std::string name = target_.filename().string(); // ".<name>.XXXXXX" (appends: GCC 12's
    name.insert(name.begin(), '.');                 // -Wrestrict misfires on "." + name)
    name.append(".XXXXXX");
    std::string pattern = (folder / name).string();
    descriptor_ = ::mkstemp(pattern.data());
    if (descriptor_ < 0)
      fail("could not create a temporary file next to");
    temporary_ = pattern;
    // mkstemp creates the file 0600; the result gets the mode of the file it replaces, or what
    // open(…, 0666) would give under the process umask, like any other output file.
    struct ::stat existing {};
    const ::mode_t mode = ::stat(target_.c_str(), &existing) == 0 ? existing.st_mode & 07777
                                                                  : 0666 & ~process_umask();
    if (::fchmod(descriptor_, mode) != 0)
      fail("could not set the permissions of the temporary file for");
  }
  atomic_output(const atomic_output&) = delete;
  atomic_output& operator=(const atomic_output&) = delete;
  ~atomic_output() { discard(); }

  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }

  /// Appends `size` bytes; throws gdcert::io_error naming the target and the system's reason.
  void write(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
      const ::ssize_t written = ::write(descriptor_, bytes, size);
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        fail("could not write");
      bytes += written;
      size -= static_cast<std::size_t>(written);
    }
  }
  void write(std::string_view text) { write(text.data(), text.size()); }

  /// Makes the file durable and visible under its name. Throws gdcert::io_error (and leaves any
  /// existing file untouched) if fsync, close or rename fails.
  void commit() {
    if (::fsync(descriptor_) != 0)
      fail("could not flush");
    const int descriptor = std::exchange(descriptor_, -1);
    if (::close(descriptor) != 0)
      fail("could not close");
    if (::rename(temporary_.c_str(), target_.c_str()) != 0)
      fail("could not rename the temporary file onto");
    temporary_.clear();
    const auto folder = target_.has_parent_path() ? target_.parent_path() : ".";
    const int directory = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    if (directory >= 0) { // the rename itself is durable once the folder is synced
      (void)::fsync(directory);
      (void)::close(directory);
    }
  }

private:
  /// The process umask, read from /proc/self/status (setting and restoring it with umask() would
  /// race with other threads creating files); 022 where that file is unavailable.
  static ::mode_t process_umask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("Umask:", 0) == 0)
        return static_cast<::mode_t>(std::stoul(line.substr(6), nullptr, 8));
    return 022;
  }

  [[noreturn]] void fail(const char* what) {
    const std::string reason = std::strerror(errno);
    discard();
    throw io_error("gdcert: " + std::string(what) + " " + target_.string() + " (" + reason + ")");
  }
  void discard() noexcept {
    if (descriptor_ >= 0)
      (void)::close(std::exchange(descriptor_, -1));
    if (!temporary_.empty())
      (void)::unlink(temporary_.c_str());
    temporary_.clear();
  }

  std::filesystem::path target_;
  std::string temporary_;
  int descriptor_ = -1;
};

namespace detail::io {

/// A std::streambuf over an atomic_output, so the stream writers (CSV rows, NPY data) fill a
/// 64 KiB buffer and every flush is a checked write. An error is rethrown by finish().
class atomic_streambuf : public std::streambuf {
public:
  explicit atomic_streambuf(atomic_output& file) : file_(file) { setp(buffer_, buffer_ + size); }
  /// Writes what is buffered; rethrows the first write error.
  void finish() {
    if (error_)
      std::rethrow_exception(error_);
    flush_buffer();
    if (error_)
      std::rethrow_exception(error_);
  }

protected:
  int_type overflow(int_type c) override {
    if (!flush_buffer())
      return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return flush_buffer() ? 0 : -1; }

private:
  bool flush_buffer() {
    if (error_)
      return false;
    try {
      file_.write(pbase(), static_cast<std::size_t>(pptr() - pbase()));
    } catch (...) {
      error_ = std::current_exception();
      return false;
    }
    setp(buffer_, buffer_ + size);
    return true;
  }

  static constexpr std::size_t size = 1 << 16;
  atomic_output& file_;
  char buffer_[size];
  std::exception_ptr error_;
};

} // namespace detail::io

/// The sidecar of a data file: `<file>.json` (data.npy.json).
[[nodiscard]] inline std::filesystem::path sidecar_path(const std::filesystem::path& data_file) {
  std::filesystem::path sidecar = data_file;
  sidecar += ".json";
  return sidecar;
}

/// Commits a written data file and then its sidecar `<file>.json` holding `sidecar_json` (also
/// written atomically): the two appear together, the data first.
inline void commit_with_sidecar(atomic_output& data, std::string_view sidecar_json) {
  atomic_output sidecar(sidecar_path(data.target()));
  sidecar.write(sidecar_json);
  data.commit();
  sidecar.commit();
}

/// Writes `file` atomically through a std::ostream: `fill(out)` writes the content, then the file
/// is committed, and `sidecar_json` (if given) as `<file>.json`, also atomically, right after it.
/// Throws gdcert::io_error on any failure, and then no existing file has changed.
template <class Fill>
void write_atomically(const std::filesystem::path& file, Fill&& fill,
                      const std::string* sidecar_json = nullptr) {
  atomic_output data(file);
  {
    detail::io::atomic_streambuf buffer(data);
    std::ostream out(&buffer);
    fill(out);
    buffer.finish();
    if (!out)
      throw io_error("gdcert: could not format " + file.string());
  }
  if (sidecar_json)
    commit_with_sidecar(data, *sidecar_json);
  else
    data.commit();
}

} // namespace gdcert
