// The writers' rule for links and special files (docs/errors.md, "Output files"): symbolic links
// are followed and the file they lead to is replaced in its own folder; character devices and
// FIFOs are streamed to, never replaced; directories, block devices and sockets are refused; a
// sidecar or checkpoint is only ever a regular file; data and sidecar are committed as a pair.
// Every special file is made here, in a temporary folder: the machine's /dev is never touched.
#include <gdcert/io/checkpoint.hpp>
#include <gdcert/io/csv.hpp>
#include <gdcert/io/npy.hpp>

#include "io/temporary_folder.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

using gdcert::testing::read_text;
using gdcert::testing::temporary_folder;
namespace fs = std::filesystem;

const std::vector<double> old_data{1, 2, 3};
const std::vector<double> new_data{4, 5, 6, 7};

/// The bytes write_npy gives `data` in a regular file, with its sidecar's.
std::string npy_bytes(const std::vector<double>& data) {
  temporary_folder folder;
  gdcert::write_npy(folder / "reference.npy", data, gdcert::provenance("file_safety"));
  return read_text(folder / "reference.npy");
}

/// The names in a folder, sorted: no temporary or backup file may be left behind.
std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct ::stat status_of(const fs::path& file) {
  struct ::stat status {};
  REQUIRE(::lstat(file.c_str(), &status) == 0);
  return status;
}

/// mknod of a character device with the numbers of /dev/null (1, 3) or /dev/full (1, 7); false
/// where the system does not permit it (not root, or a container without CAP_MKNOD).
bool make_character_device(const fs::path& file, unsigned minor) {
  return ::mknod(file.c_str(), S_IFCHR | 0666, ::makedev(1, minor)) == 0;
}

/// Reads everything a FIFO receives on a thread of its own (a FIFO's open waits for both ends).
class fifo_reader {
public:
  explicit fifo_reader(const fs::path& fifo)
      : thread_([this, fifo] { bytes_ = read_text(fifo); }) {}
  std::string bytes() {
    thread_.join();
    return bytes_;
  }
  ~fifo_reader() {
    if (thread_.joinable())
      thread_.join();
  }

private:
  std::string bytes_;
  std::thread thread_;
};

template <class Call>
std::string io_error_of(Call&& call) {
  try {
    call();
  } catch (const gdcert::io_error& error) {
    return error.what();
  }
  return "(no io_error)";
}

} // namespace

TEST_CASE("a symbolic link to a data file is followed: the file it leads to is replaced in its "
          "own folder, the link stays a link, and no temporary file is left",
          "[io][file_safety]") {
  temporary_folder folder;
  fs::create_directories(folder / "disk");
  fs::create_directories(folder / "out");
  gdcert::write_npy(folder / "disk" / "x.npy", old_data, gdcert::provenance("file_safety"));
  // out/x.npy -> out/y.npy -> ../disk/x.npy: a chain, with a relative link read from its folder.
  fs::create_symlink("../disk/x.npy", folder / "out" / "y.npy");
  fs::create_symlink("y.npy", folder / "out" / "x.npy");
  gdcert::write_npy(folder / "out" / "x.npy", new_data, gdcert::provenance("file_safety"));
  CHECK(fs::is_symlink(folder / "out" / "x.npy"));
  CHECK(fs::is_symlink(folder / "out" / "y.npy"));
  CHECK(read_text(folder / "disk" / "x.npy") == npy_bytes(new_data));
  // The sidecar is beside the name given, where a reader of out/x.npy looks for it.
  CHECK(fs::is_regular_file(folder / "out" / "x.npy.json"));
  CHECK(names_in(folder / "disk") == std::vector<std::string>{"x.npy", "x.npy.json"});
  CHECK(names_in(folder / "out") == std::vector<std::string>{"x.npy", "x.npy.json", "y.npy"});

  SECTION("an absolute link, and a link that dangles: its target is created") {
    fs::create_symlink(folder / "disk" / "x.npy", folder / "absolute.npy");
    gdcert::write_npy(folder / "absolute.npy", old_data, gdcert::provenance("file_safety"));
    CHECK(fs::is_symlink(folder / "absolute.npy"));
    CHECK(read_text(folder / "disk" / "x.npy") == npy_bytes(old_data));
    fs::create_symlink("disk/new.npy", folder / "dangling.npy");
    gdcert::write_npy(folder / "dangling.npy", old_data, gdcert::provenance("file_safety"));
    CHECK(fs::is_symlink(folder / "dangling.npy"));
    CHECK(read_text(folder / "disk" / "new.npy") == npy_bytes(old_data));
  }
  SECTION("a loop of links is an io_error and writes nothing") {
    fs::create_symlink("loop_b", folder / "loop_a");
    fs::create_symlink("loop_a", folder / "loop_b");
    const auto before = names_in(folder.path());
    CHECK_THAT(io_error_of([&] {
                 gdcert::write_npy(folder / "loop_a", old_data, gdcert::provenance("file_safety"));
               }),
               Catch::Contains("loop_a") && Catch::Contains("symbolic links"));
    CHECK(names_in(folder.path()) == before);
  }
}

TEST_CASE("a FIFO is streamed to, never replaced: its reader gets the bytes of the file and no "
          "sidecar is created beside it",
          "[io][file_safety]") {
  temporary_folder folder;
  const auto fifo = folder / "stream.npy";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  fifo_reader reader(fifo);
  gdcert::write_npy(fifo, new_data, gdcert::provenance("file_safety"));
  CHECK(reader.bytes() == npy_bytes(new_data));
  CHECK(S_ISFIFO(status_of(fifo).st_mode));
  CHECK(names_in(folder.path()) == std::vector<std::string>{"stream.npy"});

  SECTION("CSV text through a link to the FIFO") {
    fs::create_symlink("stream.npy", folder / "link.csv");
    fifo_reader csv_reader(fifo);
    gdcert::csv_table table;
    table.add_column("x", old_data);
    gdcert::write_csv(folder / "link.csv", table, gdcert::provenance("file_safety"));
    CHECK_THAT(csv_reader.bytes(), Catch::Contains("x\n1\n2\n3\n"));
    CHECK(fs::is_symlink(folder / "link.csv"));
    CHECK(S_ISFIFO(status_of(fifo).st_mode));
  }
}

TEST_CASE("a FIFO whose reader has gone is an io_error naming it, not a SIGPIPE that ends the "
          "process",
          "[io][file_safety]") {
  temporary_folder folder;
  const auto fifo = folder / "closed.npy";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread reader([&] { // opens the read end, then closes it without reading
    const int descriptor = ::open(fifo.c_str(), O_RDONLY);
    if (descriptor >= 0)
      ::close(descriptor);
  });
  // 4 MiB: more than a pipe holds, so a write meets the closed read end.
  const std::vector<double> large(std::size_t{1} << 19, 1.0);
  const auto message =
      io_error_of([&] { gdcert::write_npy(fifo, large, gdcert::provenance("file_safety")); });
  reader.join();
  CHECK_THAT(message, Catch::Contains("closed.npy") && Catch::Contains("Broken pipe"));
  CHECK(S_ISFIFO(status_of(fifo).st_mode));
}

TEST_CASE("a pipe reached through /proc/self/fd (what /dev/stdout is) is streamed to",
          "[io][file_safety]") {
  int ends[2];
  REQUIRE(::pipe(ends) == 0);
  std::string received;
  std::thread reader([&] {
    char buffer[4096];
    for (::ssize_t n; (n = ::read(ends[0], buffer, sizeof buffer)) > 0;)
      received.append(buffer, static_cast<std::size_t>(n));
  });
  // No sidecar is created for a stream (it would go to /proc/self/fd).
  const fs::path magic_link = "/proc/self/fd/" + std::to_string(ends[1]);
  gdcert::write_npy(magic_link, new_data, gdcert::provenance("file_safety"));
  ::close(ends[1]);
  reader.join();
  ::close(ends[0]);
  CHECK(received == npy_bytes(new_data));
}

TEST_CASE("a character device made with mknod is written in place and stays the same device: a "
          "/dev/null twin discards the bytes, a /dev/full twin is an io_error",
          "[io][file_safety]") {
  temporary_folder folder;
  const auto null_twin = folder / "null";
  const auto full_twin = folder / "full";
  if (!make_character_device(null_twin, 3) || !make_character_device(full_twin, 7)) {
    WARN("mknod is not permitted here (" << std::strerror(errno) << "): device cases not run");
    return;
  }
  gdcert::write_npy(null_twin, new_data, gdcert::provenance("file_safety"));
  auto status = status_of(null_twin);
  CHECK(S_ISCHR(status.st_mode));
  CHECK(status.st_rdev == ::makedev(1, 3));
  CHECK_THAT(io_error_of([&] {
               gdcert::write_npy(full_twin, new_data, gdcert::provenance("file_safety"));
             }),
             Catch::Contains("full") && Catch::Contains("No space left"));
  status = status_of(full_twin);
  CHECK(S_ISCHR(status.st_mode));
  CHECK(status.st_rdev == ::makedev(1, 7));
  // No sidecar and no temporary file beside a device.
  CHECK(names_in(folder.path()) == std::vector<std::string>{"full", "null"});
}

TEST_CASE("a directory, a block device and a socket are refused by name before anything is "
          "written",
          "[io][file_safety]") {
  temporary_folder folder;
  fs::create_directories(folder / "folder.npy");
  CHECK_THAT(io_error_of([&] {
               gdcert::write_npy(folder / "folder.npy", old_data,
                                 gdcert::provenance("file_safety"));
             }),
             Catch::Contains("folder.npy is a directory"));

  const auto socket_path = folder / "socket.npy";
  const int socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(socket >= 0);
  ::sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string name = socket_path.string();
  if (name.size() < sizeof address.sun_path) {
    std::memcpy(address.sun_path, name.c_str(), name.size() + 1);
    REQUIRE(::bind(socket, reinterpret_cast<const ::sockaddr*>(&address), sizeof address) == 0);
    CHECK_THAT(io_error_of([&] {
                 gdcert::write_npy(socket_path, old_data, gdcert::provenance("file_safety"));
               }),
               Catch::Contains("socket.npy is a socket"));
    CHECK(S_ISSOCK(status_of(socket_path).st_mode));
  }
  ::close(socket);

  // A loop device's numbers (7, 0): a writer that opened it could destroy a disk.
  const auto block = folder / "block.npy";
  if (::mknod(block.c_str(), S_IFBLK | 0600, ::makedev(7, 0)) == 0) {
    CHECK_THAT(
        io_error_of([&] { gdcert::write_npy(block, old_data, gdcert::provenance("file_safety")); }),
        Catch::Contains("block.npy is a block device"));
    CHECK(S_ISBLK(status_of(block).st_mode));
  } else {
    WARN("mknod of a block device is not permitted here: that case not run");
  }
  for (const auto& entry : names_in(folder.path()))
    CHECK(entry.find(".npy.") == std::string::npos); // no temporary and no sidecar
}

TEST_CASE("a sidecar or a checkpoint is only ever a regular file: a FIFO in its place is refused "
          "and the data file is left as it was",
          "[io][file_safety]") {
  temporary_folder folder;
  const auto data = folder / "x.npy";
  gdcert::write_npy(data, old_data, gdcert::provenance("file_safety"));
  REQUIRE(fs::remove(folder / "x.npy.json"));
  REQUIRE(::mkfifo((folder / "x.npy.json").c_str(), 0600) == 0);
  CHECK_THAT(
      io_error_of([&] { gdcert::write_npy(data, new_data, gdcert::provenance("file_safety")); }),
      Catch::Contains("x.npy.json is a FIFO"));
  CHECK(read_text(data) == npy_bytes(old_data));
  CHECK(S_ISFIFO(status_of(folder / "x.npy.json").st_mode));
  CHECK_THAT(io_error_of([&] { gdcert::provenance("file_safety").write_sidecar(data); }),
             Catch::Contains("x.npy.json is a FIFO"));

  const auto log = folder / "job.checkpoint";
  REQUIRE(::mkfifo(log.c_str(), 0600) == 0);
  // Opening it would block a reader forever: refused before any open.
  CHECK_THROWS_WITH((gdcert::checkpoint_log(log, "job", 4)),
                    Catch::Contains("job.checkpoint is a FIFO"));
  CHECK(S_ISFIFO(status_of(log).st_mode));
  CHECK(names_in(folder.path()) ==
        std::vector<std::string>{"job.checkpoint", "x.npy", "x.npy.json"});
}

TEST_CASE("data and provenance travel together: a sidecar that cannot be written leaves neither "
          "new file, and the previous pair intact",
          "[io][file_safety]") {
  temporary_folder folder;
  const auto data = folder / "x.npy";

  SECTION("x.npy.json is a directory, no previous data: no data file appears") {
    fs::create_directories(folder / "x.npy.json");
    CHECK_THAT(
        io_error_of([&] { gdcert::write_npy(data, new_data, gdcert::provenance("file_safety")); }),
        Catch::Contains("x.npy.json is a directory"));
    CHECK_FALSE(fs::exists(data));
    CHECK(names_in(folder.path()) == std::vector<std::string>{"x.npy.json"});
  }
  SECTION("a previous data file, its sidecar a link into a folder that is gone: the data file "
          "as it was") {
    gdcert::write_npy(data, old_data, gdcert::provenance("old"));
    fs::remove(folder / "x.npy.json");
    fs::create_symlink("gone/x.npy.json", folder / "x.npy.json");
    CHECK_THAT(io_error_of([&] { gdcert::write_npy(data, new_data, gdcert::provenance("new")); }),
               Catch::Contains("x.npy.json"));
    CHECK(read_text(data) == npy_bytes(old_data));
    CHECK(fs::is_symlink(folder / "x.npy.json"));
    CHECK(names_in(folder.path()) == std::vector<std::string>{"x.npy", "x.npy.json"});
  }
}

TEST_CASE("a sidecar rename that fails after the data's is undone: the previous data file is put "
          "back from its hard link, or the new one removed when there was none",
          "[io][file_safety]") {
  temporary_folder folder;
  // commit_with_sidecar's steps, with the sidecar's destination made a non-empty folder between
  // the two renames (a race commit_with_sidecar cannot prevent, only undo).
  const auto commit_pair_failing = [&](const fs::path& data_file, const std::string& bytes) {
    gdcert::atomic_output data(data_file);
    data.write(bytes);
    gdcert::atomic_output sidecar(gdcert::sidecar_path(data_file), gdcert::special_files::refuse);
    sidecar.write("{}");
    sidecar.prepare();
    data.prepare();
    (void)data.keep_previous();
    data.publish();
    fs::remove(gdcert::sidecar_path(data_file));
    fs::create_directories(gdcert::sidecar_path(data_file) / "occupied");
    try {
      sidecar.publish();
    } catch (const gdcert::io_error&) {
      data.restore();
      return true;
    }
    return false;
  };
  gdcert::write_npy(folder / "x.npy", old_data, gdcert::provenance("file_safety"));
  REQUIRE(commit_pair_failing(folder / "x.npy", "new bytes"));
  CHECK(read_text(folder / "x.npy") == npy_bytes(old_data));
  REQUIRE(commit_pair_failing(folder / "fresh.npy", "new bytes"));
  CHECK_FALSE(fs::exists(folder / "fresh.npy"));
  // Neither a temporary nor the hard link of the previous file is left.
  CHECK(names_in(folder.path()) ==
        std::vector<std::string>{"fresh.npy.json", "x.npy", "x.npy.json"});
}

TEST_CASE(
    "a replaced file keeps its mode, owner and group, and another user's file that the process "
    "cannot give back to its owner is refused",
    "[io][file_safety]") {
  temporary_folder folder;
  const auto data = folder / "owned.npy";
  gdcert::write_npy(data, old_data, gdcert::provenance("file_safety"));
  REQUIRE(::chmod(data.c_str(), 0640) == 0);
  if (::geteuid() == 0) {
    REQUIRE(::chown(data.c_str(), 4242, 4343) == 0);
    gdcert::write_npy(data, new_data, gdcert::provenance("file_safety"));
    const auto status = status_of(data);
    CHECK(status.st_uid == 4242u);
    CHECK(status.st_gid == 4343u);
    CHECK((status.st_mode & 07777) == 0640);
    CHECK(read_text(data) == npy_bytes(new_data));
  } else {
    gdcert::write_npy(data, new_data, gdcert::provenance("file_safety"));
    CHECK((status_of(data).st_mode & 07777) == 0640);
    WARN("not root: a file of another owner cannot be made here, the refusal is not run");
  }
}
