// The command line of the reproduction examples (reproduction.hpp), compiled once: the only
// translation unit of the examples that includes CLI11.
#include "reproduction.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdlib>

namespace gdcert::examples {

struct reproduction::command_line {
  command_line(const std::string& description, const std::string& name) : app(description, name) {}
  CLI::App app;
};

reproduction::reproduction(std::string name, std::string claim)
    : name_(std::move(name)), claim_(std::move(claim)),
      command_line_(std::make_unique<command_line>(claim_, name_)) {
  auto& app = command_line_->app;
  app.add_option("--output", output_, "folder for the data (CSV/NPY) and pictures (PNG)")
      ->capture_default_str();
  app.add_flag("--quick", quick_, "smaller grids (what CTest runs)");
  app.add_option("--threads", threads_, "worker threads, 0 = all cores")->capture_default_str();
}

reproduction::~reproduction() = default;

template <class Value>
void reproduction::option(const std::string& flag, Value& value, const std::string& help) {
  command_line_->app.add_option(flag, value, help)->capture_default_str();
}

template <class Value>
void reproduction::option(const std::string& flag, Value& value, const std::string& help,
                          Value lower, Value upper) {
  command_line_->app.add_option(flag, value, help)
      ->check(CLI::Range(lower, upper))
      ->capture_default_str();
}

void reproduction::parse(int argc, char** argv) {
  try {
    command_line_->app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::exit(command_line_->app.exit(error));
  }
  std::filesystem::create_directories(output_);
  std::printf("gdcert %s: %s — %s%s\n\n", gdcert::version, name_.c_str(), claim_.c_str(),
              quick_ ? " (quick mode)" : "");
  std::fflush(stdout);
}

// The value types the examples bind (std::size_t is one of the unsigned types below).
template void reproduction::option(const std::string&, int&, const std::string&);
template void reproduction::option(const std::string&, unsigned&, const std::string&);
template void reproduction::option(const std::string&, unsigned long&, const std::string&);
template void reproduction::option(const std::string&, unsigned long long&, const std::string&);
template void reproduction::option(const std::string&, double&, const std::string&);
template void reproduction::option(const std::string&, std::string&, const std::string&);
template void reproduction::option(const std::string&, int&, const std::string&, int, int);
template void reproduction::option(const std::string&, unsigned long&, const std::string&,
                                   unsigned long, unsigned long);
template void reproduction::option(const std::string&, unsigned long long&, const std::string&,
                                   unsigned long long, unsigned long long);
template void reproduction::option(const std::string&, double&, const std::string&, double, double);

} // namespace gdcert::examples
