// Output files: atomic replacement of regular files, streaming to devices and FIFOs, and the
// writers' rule for links and special files (docs/errors.md, "Output files").
#pragma once

#include <gdcert/io/io_error.hpp>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gdcert {

/// What a writer does when its path names a character device or a FIFO (after links).
enum class special_files {
  stream, ///< write the bytes to it in order (/dev/null, /dev/stdout, a named pipe): data files
  refuse  ///< throw io_error: sidecars and checkpoints, which must be regular files
};

namespace detail::io {

[[noreturn]] inline void fail_on(const std::filesystem::path& file, const std::string& what,
                                 int error) {
  throw io_error("gdcert: " + what + " " + file.string() + " (" + std::strerror(error) + ")");
}

/// The kind of a file type, for messages.
inline const char* kind_name(::mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  return "not a regular file";
}

/// Where an output path leads. The writers' rule (docs/errors.md, "Output files"):
/// - symbolic links are followed to the final name, and a regular file there (or a new one, when
///   the last link dangles) is replaced atomically in *that* name's folder, so a link to a data
///   file on another disk is updated and stays a link;
/// - a character device or a FIFO is never replaced: the bytes are streamed to it, or, for
///   `special_files::refuse`, io_error;
/// - anything else (a directory, a block device, a socket) is refused with io_error.
struct output_destination {
  std::filesystem::path path; ///< the final name (links followed); for a stream, the name given
  bool exists = false;        ///< a regular file is there (it will be replaced)
  bool stream = false;        ///< a character device or FIFO: written in place, not replaced
  struct ::stat status {};    ///< of the existing file, when exists or stream
};

/// Follows the symbolic links of `file` one by one (a relative link is read from its own folder)
/// to the name that a rename must replace.
inline std::filesystem::path final_name(const std::filesystem::path& file) {
  std::filesystem::path current = file;
  for (int hops = 0; hops <= 40; ++hops) { // 40: Linux's own limit (MAXSYMLINKS)
    struct ::stat status {};
    if (::lstat(current.c_str(), &status) != 0) {
      if (errno == ENOENT)
        return current; // a dangling link: create its target, as a shell redirection does
      fail_on(current, "could not inspect", errno);
    }
    if (!S_ISLNK(status.st_mode))
      return current;
    std::string link(static_cast<std::size_t>(status.st_size > 0 ? status.st_size : 255) + 1, '\0');
    const ::ssize_t length = ::readlink(current.c_str(), link.data(), link.size());
    if (length < 0)
      fail_on(current, "could not read the symbolic link", errno);
    link.resize(static_cast<std::size_t>(length));
    const std::filesystem::path next(link);
    current = next.is_absolute() ? next : current.parent_path() / next;
  }
  fail_on(file, "could not follow the links of", ELOOP);
}

inline output_destination resolve_output(const std::filesystem::path& file, special_files special) {
  if (file.empty())
    throw io_error("gdcert: the output path is empty");
  output_destination out;
  if (::stat(file.c_str(), &out.status) == 0) { // follows every link, /proc/self/fd's too
    const ::mode_t mode = out.status.st_mode;
    if (S_ISCHR(mode) || S_ISFIFO(mode)) {
      if (special == special_files::refuse)
        throw io_error("gdcert: " + file.string() + " is " + kind_name(mode) +
                       "; this file must be a regular file (it is replaced atomically)");
      out.path = file; // opened through the name given: /dev/stdout's magic link included
      out.stream = true;
      return out;
    }
    if (!S_ISREG(mode))
      throw io_error("gdcert: " + file.string() + " is " + kind_name(mode) +
                     "; gdcert writes regular files (replaced atomically) and streams to "
                     "character devices and FIFOs, nothing else");
    out.path = final_name(file);
    struct ::stat named {};
    // The name found must be the file stat() reached (not so for a link into /proc whose target
    // is no longer a name, e.g. "/x (deleted)"): never replace another file than the one meant.
    if (::lstat(out.path.c_str(), &named) != 0 || named.st_dev != out.status.st_dev ||
        named.st_ino != out.status.st_ino)
      throw io_error("gdcert: could not find the name of the file " + file.string() +
                     " leads to; nothing was written");
    out.exists = true;
    return out;
  }
  if (errno != ENOENT)
    fail_on(file, "could not inspect", errno);
  out.path = final_name(file);
  return out;
}

/// write() to a pipe whose reader has gone fails with EPIPE instead of killing the process with
/// SIGPIPE: the signal is blocked in this thread for the call, and one that the call raised is
/// consumed before the mask is restored.
inline ::ssize_t write_without_sigpipe(int descriptor, const void* data, std::size_t size) {
  ::sigset_t pipe_only, previous, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  (void)::pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
  (void)::sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ::ssize_t written = ::write(descriptor, data, size);
  const int error = errno;
  if (written < 0 && error == EPIPE && !was_pending) {
    const ::timespec no_wait{0, 0};
    (void)::sigtimedwait(&pipe_only, nullptr, &no_wait);
  }
  (void)::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  errno = error;
  return written;
}

/// fsync of a folder, so that a rename in it is durable (best effort: not every file system can).
inline void sync_folder(const std::filesystem::path& file) {
  const auto folder = file.has_parent_path() ? file.parent_path() : ".";
  const int directory = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory >= 0) {
    (void)::fsync(directory);
    (void)::close(directory);
  }
}

} // namespace detail::io

/// An output file that appears complete or not at all.
///
/// For a regular file (or a new one) at the end of the path's symbolic links, the bytes go to a
/// temporary file in that file's folder (`.<name>.XXXXXX`, mkstemp); every write is checked (a
/// full disk or a file-size limit is an io_error, not a short file); commit() fsyncs the
/// temporary, renames it over the file (atomic on POSIX file systems) and fsyncs the folder. The
/// replacement keeps the mode, owner and group of the file it replaces; a file of another owner
/// that the process cannot give back to that owner (not root) is refused with io_error. Destroyed
/// without commit() (an exception, a rejected argument) it removes the temporary: an existing file
/// is never truncated or damaged, even by `kill -9` at any moment (then only the temporary is
/// left).
///
/// For a character device or a FIFO (special_files::stream, the default) the bytes are written to
/// it in order, as a shell redirection would (a FIFO's open waits for a reader); nothing is
/// renamed or created, and a closed reader is an io_error, not SIGPIPE. Directories, block
/// devices and sockets are refused with io_error before anything is written.
class atomic_output {
public:
  /// Resolves `file` and creates the temporary (or opens the stream). Throws gdcert::io_error if
  /// the path is refused by the rule above or the temporary cannot be created.
  explicit atomic_output(std::filesystem::path file, special_files special = special_files::stream)
      : target_(std::move(file)), destination_(detail::io::resolve_output(target_, special)) {
    if (destination_.stream) {
      open_stream();
      return;
    }
    const auto& path = destination_.path;
    const auto folder = path.has_parent_path() ? path.parent_path() : ".";
    std::string name = path.filename().string(); // ".<name>.XXXXXX" (appends: GCC 12's
    name.insert(name.begin(), '.');              // -Wrestrict misfires on "." + name)
    name.append(".XXXXXX");
    std::string pattern = (folder / name).string();
    descriptor_ = ::mkstemp(pattern.data());
    if (descriptor_ < 0)
      fail("could not create a temporary file next to");
    temporary_ = pattern;
    // mkstemp creates the file 0600; the result gets the mode of the file it replaces, or what
    // open(…, 0666) would give under the process umask, like any other output file.
    const ::mode_t mode =
        destination_.exists ? destination_.status.st_mode & 07777 : 0666 & ~process_umask();
    if (destination_.exists &&
        ::fchown(descriptor_, destination_.status.st_uid,
                 destination_.status.st_gid) != 0 &&
        destination_.status.st_uid != ::geteuid()) { // a group the process lacks is not kept
      discard();
      throw io_error("gdcert: " + target_.string() + " belongs to another user (uid " +
                     std::to_string(destination_.status.st_uid) +
                     "); gdcert replaces only files whose owner it can keep");
    }
    if (::fchmod(descriptor_, mode) != 0)
      fail("could not set the permissions of the temporary file for");
  }
  atomic_output(const atomic_output&) = delete;
  atomic_output& operator=(const atomic_output&) = delete;
  ~atomic_output() {
    discard();
    if (!previous_.empty())
      (void)::unlink(previous_.c_str());
  }

  /// The path given.
  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }
  /// The name that commit() replaces: target() with its symbolic links followed.
  [[nodiscard]] const std::filesystem::path& destination() const noexcept {
    return destination_.path;
  }
  /// True when target() is a character device or FIFO, written in place (no rename, no sidecar).
  [[nodiscard]] bool streams() const noexcept { return destination_.stream; }

  /// Appends `size` bytes; throws gdcert::io_error naming the target and the system's reason.
  void write(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
      const ::ssize_t written = destination_.stream
                                    ? detail::io::write_without_sigpipe(descriptor_, bytes, size)
                                    : ::write(descriptor_, bytes, size);
      if (written < 0 && errno == EINTR)
        continue;
      if (written <= 0)
        fail("could not write");
      bytes += written;
      size -= static_cast<std::size_t>(written);
    }
  }
  void write(std::string_view text) { write(text.data(), text.size()); }

  /// Makes the file durable and visible under its name (for a stream: closes it). Throws
  /// gdcert::io_error (and leaves any existing file untouched) if fsync, close or rename fails.
  void commit() {
    prepare();
    publish();
    detail::io::sync_folder(destination_.path);
  }

  /// \name The steps of commit(), to commit several files as one (commit_with_sidecar)
  /// prepare() all of them, keep_previous() and publish() each in turn, and restore() those
  /// published if a later one fails.
  ///@{
  /// First half of commit(): the temporary is complete and durable, and the destination is still
  /// what the constructor found (a regular file or nothing): never renamed onto anything else.
  void prepare() {
    if (destination_.stream) {
      if (::close(std::exchange(descriptor_, -1)) != 0)
        fail("could not close");
      return;
    }
    if (::fsync(descriptor_) != 0)
      fail("could not flush");
    if (::close(std::exchange(descriptor_, -1)) != 0)
      fail("could not close");
    struct ::stat now {};
    if (::lstat(destination_.path.c_str(), &now) == 0 && !S_ISREG(now.st_mode)) {
      errno = EEXIST;
      const std::string what = detail::io::kind_name(now.st_mode);
      discard();
      throw io_error("gdcert: " + destination_.path.string() + " became " + what +
                     " while it was written; it is left as it is");
    }
  }
  /// Second half of commit(): the rename (nothing for a stream).
  void publish() {
    if (destination_.stream)
      return;
    if (::rename(temporary_.c_str(), destination_.path.c_str()) != 0)
      fail("could not rename the temporary file onto");
    temporary_.clear();
  }
  /// Keeps the file that publish() will replace under a hidden hard link, so that restore() can
  /// put it back atomically. False where there is none or the file system has no hard links.
  bool keep_previous() {
    if (destination_.stream || !destination_.exists)
      return false;
    auto pattern = temporary_ + ".previous";
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto name = pattern + std::to_string(attempt);
      if (::link(destination_.path.c_str(), name.c_str()) == 0) {
        previous_ = name;
        return true;
      }
      if (errno != EEXIST)
        return false;
    }
    return false;
  }
  /// Undoes publish(): the previous file back under its name, or the new one removed.
  void restore() noexcept {
    if (destination_.stream)
      return;
    if (!previous_.empty()) {
      if (::rename(previous_.c_str(), destination_.path.c_str()) == 0)
        previous_.clear();
    } else if (!destination_.exists) {
      (void)::unlink(destination_.path.c_str());
    }
  }
  ///@}

private:
  void open_stream() {
    // No O_CREAT, no O_TRUNC: the device or FIFO is written as it is; O_NOCTTY keeps a terminal
    // from becoming the controlling one.
    descriptor_ = ::open(target_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (descriptor_ < 0)
      fail("could not open");
    struct ::stat opened {};
    if (::fstat(descriptor_, &opened) != 0 ||
        !(S_ISCHR(opened.st_mode) || S_ISFIFO(opened.st_mode))) {
      discard(); // replaced by something else since it was inspected: write nothing
      throw io_error("gdcert: " + target_.string() +
                     " changed while it was opened; nothing was written");
    }
  }

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
    const int error = errno;
    discard();
    detail::io::fail_on(target_, what, error);
  }
  void discard() noexcept {
    if (descriptor_ >= 0)
      (void)::close(std::exchange(descriptor_, -1));
    if (!temporary_.empty())
      (void)::unlink(temporary_.c_str());
    temporary_.clear();
  }

  std::filesystem::path target_;
  detail::io::output_destination destination_;
  std::string temporary_;
  std::string previous_; ///< hard link to the replaced file while a pair is committed
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

/// Commits a written data file and its sidecar `<file>.json` (beside the name given, its own
/// links followed) holding `sidecar_json` as a pair: both appear, or neither changes. The sidecar
/// is inspected and written before the data is renamed (a sidecar path that is a directory, a
/// device or a FIFO is refused while nothing has changed); if its rename then fails, the previous
/// data file is put back from a hard link kept for that moment (or the new one removed when there
/// was none), so the previous pair stays intact. For a data stream (a device or FIFO) only the
/// data is written: no sidecar is created beside a device.
inline void commit_with_sidecar(atomic_output& data, std::string_view sidecar_json) {
  if (data.streams()) {
    data.commit();
    return;
  }
  atomic_output sidecar(sidecar_path(data.target()), special_files::refuse);
  sidecar.write(sidecar_json);
  sidecar.prepare();
  data.prepare();
  (void)data.keep_previous(); // none on a file system without hard links: then no way back
  data.publish();
  try {
    sidecar.publish();
  } catch (...) {
    data.restore();
    throw;
  }
  detail::io::sync_folder(data.destination());
  detail::io::sync_folder(sidecar.destination());
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
