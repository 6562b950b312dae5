// Counts of a property walk (tried / rejected with a named error / valid / wrong), shared by the robustness suites.
#pragma once

#include <gdcert/core/error.hpp>

#include <cstddef>
#include <exception>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace gdcert::test {

/// Counts of the walk; `failures` lists each wrong case with what happened.
struct robustness_tally {
  std::size_t tried = 0, rejected = 0, valid = 0, wrong = 0;
  std::vector<std::string> failures;

  /// The call must throw Error (invalid_parameter by default) whose what() contains `parameter`.
  template <class Error = gdcert::invalid_parameter, class Call>
  void rejects(const std::string& label, const std::string& parameter, Call&& call) {
    ++tried;
    try {
      call();
    } catch (const Error& error) {
      if (std::string(error.what()).find(parameter) != std::string::npos) {
        ++rejected;
        return;
      }
      fail(label + ": the message does not name '" + parameter + "': " + error.what());
      return;
    } catch (const std::exception& error) {
      fail(label + ": unexpected exception type: " + error.what());
      return;
    }
    fail(label + ": accepted");
  }

  /// The call must return true: the documented valid behaviour holds (and nothing is thrown).
  template <class Call>
  void accepts(const std::string& label, Call&& call) {
    ++tried;
    try {
      if (call()) {
        ++valid;
        return;
      }
      fail(label + ": wrong result");
    } catch (const std::exception& error) {
      fail(label + ": threw " + error.what());
    }
  }

  /// A property measured directly: valid when it holds, else wrong with `detail` (what was seen).
  void holds(const std::string& label, bool property, const std::string& detail = {}) {
    ++tried;
    if (property)
      ++valid;
    else
      fail(label + (detail.empty() ? std::string() : ": " + detail));
  }

  void fail(std::string message) {
    ++wrong;
    failures.push_back(std::move(message));
  }
  void report(const char* group) const {
    std::cout << "robustness [" << group << "]: tried " << tried << ", rejected with a named error "
              << rejected << ", valid " << valid << ", wrong " << wrong << ", crash 0\n";
    constexpr std::size_t shown = 50; // the first ones say what broke; the count says how much
    for (std::size_t i = 0; i < failures.size() && i < shown; ++i)
      std::cout << "  wrong: " << failures[i] << '\n';
    if (failures.size() > shown)
      std::cout << "  ... and " << failures.size() - shown << " more wrong\n";
  }
};

} // namespace gdcert::test
