// The compiled core of the Python package gdcert (python/gdcert/__init__.py wraps it): gdcert's
// errors become Python exceptions with the same messages, then each binding file adds its part.
#include "common.hpp"

#include <gdcert/version.hpp>

PYBIND11_MODULE(_gdcert, m) {
  using namespace gdcert::python;
  m.doc() = "gdcert's C++ core: problems, certificates and engines (see the package gdcert).";
  m.attr("__version__") = gdcert::version;
  // invalid_parameter derives from std::invalid_argument, which pybind11 already maps to
  // ValueError with what() as the message: "gdcert: <name> = <value> is invalid; valid range: …".
  static py::exception<gdcert::cancelled> cancelled_error(m, "Cancelled", PyExc_RuntimeError);
  static py::exception<gdcert::thread_start_error> thread_error(m, "ThreadStartError",
                                                                PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const gdcert::cancelled& e) {
      cancelled_error(e.what());
    } catch (const gdcert::thread_start_error& e) {
      thread_error(e.what());
    }
  });
  bind_problems(m);
  bind_certificates(m);
  bind_trajectories(m);
  bind_sweep(m);
  bind_scans(m);
  bind_dynamics(m);
  bind_verifier(m);
  bind_matrix(m); // after bind_problems and bind_trajectories: it extends both
}
