// What every reproduction example shares: command line, output folder, verdict lines, run time.
//
// Each example under examples/ reproduces one claim of the papers (issue #5) and ends with one
// line per claim, `PASS: <claim> (<measured>)` or `FAIL: <claim> (<measured>)`, computed from the
// run. CTest runs every example with --quick and fails on any "FAIL:" line; the exit status is 0
// only when every claim held. The command line is parsed by CLI11 (Debian: libcli11-dev), compiled
// once in reproduction.cpp rather than in every example: CLI11 2.1 is header-only and costs
// each translation unit that includes it about 10 s of compile time
// (docs/performance.md, "Compile time").
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/io/provenance.hpp>
#include <gdcert/version.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace gdcert::examples {

/// printf-style formatting into a std::string (for the "measured" part of a verdict).
template <class... Args>
std::string format(const char* pattern, Args... args) {
  const int size = std::snprintf(nullptr, 0, pattern, args...);
  std::string text(static_cast<std::size_t>(size), '\0');
  std::snprintf(text.data(), text.size() + 1, pattern, args...);
  return text;
}

/// One reproduction run: parses `--output DIR`, `--quick`, `--threads N` (and the options the
/// example adds through `option` before `parse`), prints the banner, collects verdicts and
/// returns the exit status from `finish()`.
class reproduction {
public:
  /// `name` is the program name (also the provenance program); `claim` is one line saying what
  /// the example reproduces, e.g. "Figure 4 / App. J.1: certified region vs convergence".
  reproduction(std::string name, std::string claim);
  ~reproduction();

  reproduction(const reproduction&) = delete;
  reproduction& operator=(const reproduction&) = delete;

  /// Adds the option `flag VALUE` bound to `value`, whose current value is the default shown by
  /// --help. Defined for int, unsigned, std::uint64_t (std::size_t) and double.
  template <class Value>
  void option(const std::string& flag, Value& value, const std::string& help);
  /// The same, refusing (with CLI11's message and exit status) values outside [lower, upper].
  template <class Value>
  void option(const std::string& flag, Value& value, const std::string& help, Value lower,
              Value upper);

  /// Parses the command line (exits with CLI11's message and status on --help or an error),
  /// creates the output folder and prints the banner.
  void parse(int argc, char** argv);

  bool quick() const { return quick_; }
  /// `full` in the documented mode, `quick` under --quick.
  template <class Value>
  Value choose(Value full, Value quick) const {
    return quick_ ? quick : full;
  }
  unsigned threads() const { return threads_; }
  execution_policy policy() const {
    execution_policy policy;
    policy.threads = threads_;
    return policy;
  }

  const std::filesystem::path& output() const { return output_; }
  /// `output() / file`, announced on stdout; `finish()` checks that the caller wrote it.
  std::filesystem::path output_file(std::string_view file) {
    auto path = output_ / std::filesystem::path(file);
    std::printf("writing %s\n", path.string().c_str());
    outputs_.push_back(path);
    return path;
  }

  /// Provenance for the files this run writes: program name, mode and thread count.
  provenance origin() const {
    provenance p(name_);
    p.parameter("mode", quick_ ? "quick" : "full");
    return p;
  }

  /// Prints `PASS: claim (measured)` or `FAIL: claim (measured)`; returns `pass`.
  bool verdict(bool pass, std::string_view claim, std::string_view measured) {
    std::printf("%s: %.*s (%.*s)\n", pass ? "PASS" : "FAIL", static_cast<int>(claim.size()),
                claim.data(), static_cast<int>(measured.size()), measured.data());
    std::fflush(stdout);
    ++claims_;
    failed_ += pass ? 0 : 1;
    return pass;
  }

  /// Checks that every file announced by `output_file` exists and is not empty (one verdict),
  /// prints the tally and the wall time; the process exit status (0 iff every claim held).
  int finish() {
    if (!outputs_.empty()) {
      std::size_t present = 0;
      for (const auto& file : outputs_) {
        std::error_code error;
        present += std::filesystem::file_size(file, error) > 0 && !error;
      }
      verdict(present == outputs_.size(), "data and pictures written",
              format("%zu of %zu files in %s", present, outputs_.size(), output_.string().c_str()));
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::printf("\n%s: %d of %d claims held (%.1f s%s)\n", name_.c_str(), claims_ - failed_,
                claims_, seconds, quick_ ? ", quick mode" : "");
    return failed_ == 0 && claims_ > 0 ? 0 : 1;
  }

private:
  struct command_line; // CLI11's application, in reproduction.cpp
  std::string name_, claim_;
  std::unique_ptr<command_line> command_line_;
  std::filesystem::path output_ = "output";
  bool quick_ = false;
  unsigned threads_ = 0;
  std::vector<std::filesystem::path> outputs_;
  int claims_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

} // namespace gdcert::examples
