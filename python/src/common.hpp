// What every binding file shares: states as NumPy arrays (one (d,) state or an (N, d) stack),
// per-point evaluation on SIMD lanes, long calls without the GIL that stop on Ctrl-C, and the
// translation of gdcert's errors to Python exceptions.
#pragma once

#include <gdcert/analysis/execution.hpp>
#include <gdcert/core/error.hpp>
#include <gdcert/numbers/lanes.hpp>
#include <gdcert/problems/problem.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace gdcert::python {

namespace py = pybind11;

/// A C-contiguous float64 array; NumPy converts other dtypes and layouts on the way in.
using array = py::array_t<double, py::array::c_style | py::array::forcecast>;

/// Lanes of one SIMD pack in the vectorized calls: 4 doubles (one AVX2 register, two SSE2).
inline constexpr int pack_width = 4;
using pack = lanes<pack_width>;

/// A validated view of the states of one call: `count` points of `dimension` coordinates, and
/// whether the caller passed a single (d,) state (results then drop the leading axis).
struct states_view {
  const double* data = nullptr;
  std::size_t count = 0;
  Eigen::Index dimension = 0;
  bool single = true;

  [[nodiscard]] const double* point(std::size_t i) const {
    return data + i * static_cast<std::size_t>(dimension);
  }
};

/// Checks that `x` is a (d,) state or an (N, d) stack of states with d = `dimension` and finite
/// coordinates; throws gdcert::invalid_parameter (ValueError in Python) naming what is wrong, in
/// the words of gradient_descent_map::validate_state.
inline states_view view_states(const array& x, Eigen::Index dimension, const char* name = "x") {
  states_view v;
  v.dimension = dimension;
  if (x.ndim() == 1) {
    require_dimension(std::string(name) + " state dimension", x.shape(0), dimension);
    v.count = 1;
  } else if (x.ndim() == 2) {
    require_dimension(std::string(name) + " state dimension (columns)", x.shape(1), dimension);
    v.count = static_cast<std::size_t>(x.shape(0));
    v.single = false;
  } else {
    throw invalid_parameter(std::string(name) + " number of axes", std::to_string(x.ndim()),
                            "1 (one state of shape (d,)) or 2 (states of shape (N, d))");
  }
  v.data = x.data();
  const std::size_t n = v.count * static_cast<std::size_t>(dimension);
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v.data[i])) {
      const std::size_t row = i / static_cast<std::size_t>(dimension);
      const std::size_t column = i % static_cast<std::size_t>(dimension);
      throw invalid_parameter(
          (v.single ? std::string(name) + " state coordinate "
                    : std::string(name) + "[" + std::to_string(row) + "] state coordinate ") +
              std::to_string(column),
          detail::to_text(v.data[i]), "a finite number");
    }
  return v;
}

/// One state as the library's coordinate vector.
inline vector<double> coordinates_of(const states_view& v, std::size_t i) {
  return Eigen::Map<const vector<double>>(v.point(i), v.dimension);
}

/// The state of `p` at point i of the view.
template <class P>
auto state_at(const P& p, const states_view& v, std::size_t i) {
  return p.template from_coordinates<double>(coordinates_of(v, i));
}

/// A pack of pack_width consecutive points (i, i + 1, …) as one lane state of `p`.
template <class P>
auto pack_at(const P& p, const states_view& v, std::size_t i) {
  vector<pack> c(v.dimension);
  for (Eigen::Index j = 0; j < v.dimension; ++j)
    for (int l = 0; l < pack_width; ++l)
      c(j)[l] = v.point(i + static_cast<std::size_t>(l))[j];
  return p.template from_coordinates<pack>(c);
}

/// Shape of a result of `width` numbers per point: () or (width,) for one state, (N,) or
/// (N, width) for N states; `width` = 0 means one number per point.
inline std::vector<py::ssize_t> result_shape(const states_view& v, Eigen::Index width) {
  std::vector<py::ssize_t> shape;
  if (!v.single)
    shape.push_back(static_cast<py::ssize_t>(v.count));
  if (width > 0)
    shape.push_back(static_cast<py::ssize_t>(width));
  return shape;
}

/// A one-element result as a Python float, otherwise the array.
inline py::object unwrap(py::array_t<double> out, const states_view& v, Eigen::Index width) {
  if (v.single && width == 0)
    return py::float_(*out.data());
  return out;
}

/// Whether per_point evaluates packs of points in lanes: not for the matrix problems, whose double
/// members run other kernels than their generic form (the fused step of
/// problems/detail/residual_forces.hpp, Eigen's products), so that lanes would not round as the
/// one-state calls do; they are evaluated point by point in double.
template <class P>
consteval bool evaluates_in_lanes() {
  if constexpr (requires { typename P::template state<double>; })
    return !steps_in_place<P, typename P::template state<double>>;
  else
    return true; // a plane of coordinates (python/src/dynamics.cpp)
}

/// Evaluates `f` (a generic callable: state<T> → T or state<T>) at every point of `x`: packs of
/// pack_width points through the lanes scalar (where evaluates_in_lanes<P>()), the rest one by
/// one in double. The library's maps are written once over T, so both paths run the same
/// arithmetic; the module is compiled with -ffp-contract=off, so they round alike and a stacked
/// call equals the one-state calls bit for bit. The GIL is released while the points are
/// evaluated.
template <class P, class F>
py::object per_point(const P& p, const array& x, F f) {
  const states_view v = view_states(x, p.dimension());
  using double_result = decltype(f(state_at(p, v, 0)));
  constexpr bool state_result = !std::is_arithmetic_v<double_result>;
  const Eigen::Index width = state_result ? p.dimension() : 0;
  py::array_t<double> out(result_shape(v, width));
  double* o = out.mutable_data();
  const std::size_t w = state_result ? static_cast<std::size_t>(width) : 1;
  {
    py::gil_scoped_release release;
    std::size_t i = 0;
    if constexpr (evaluates_in_lanes<P>())
      for (; i + pack_width <= v.count; i += pack_width) {
        const auto r = f(pack_at(p, v, i));
        if constexpr (state_result) {
          const vector<pack> c = p.coordinates(r);
          for (int l = 0; l < pack_width; ++l)
            for (std::size_t j = 0; j < w; ++j)
              o[(i + static_cast<std::size_t>(l)) * w + j] = c(static_cast<Eigen::Index>(j))[l];
        } else {
          for (int l = 0; l < pack_width; ++l)
            o[i + static_cast<std::size_t>(l)] = r[l];
        }
      }
    for (; i < v.count; ++i) {
      const auto r = f(state_at(p, v, i));
      if constexpr (state_result) {
        const vector<double> c = p.coordinates(r);
        std::memcpy(o + i * w, c.data(), w * sizeof(double));
      } else {
        o[i] = r;
      }
    }
  }
  return unwrap(std::move(out), v, width);
}

/// Evaluates `f` (state<double> → double, or a matrix of fixed shape rows × columns) point by
/// point in double: for what has no lane form (distances with min/abs, Hessians, root solves).
template <class P, class F>
py::object per_point_double(const P& p, const array& x, F f, Eigen::Index rows = 0,
                            Eigen::Index columns = 0) {
  const states_view v = view_states(x, p.dimension());
  std::vector<py::ssize_t> shape = result_shape(v, 0);
  if (rows > 0) {
    shape.push_back(static_cast<py::ssize_t>(rows));
    shape.push_back(static_cast<py::ssize_t>(columns));
  }
  py::array_t<double> out(shape);
  double* o = out.mutable_data();
  const auto block = static_cast<std::size_t>(rows > 0 ? rows * columns : 1);
  {
    py::gil_scoped_release release;
    for (std::size_t i = 0; i < v.count; ++i) {
      const auto r = f(state_at(p, v, i));
      if constexpr (std::is_arithmetic_v<std::decay_t<decltype(r)>>) {
        o[i] = r;
      } else { // row-major copy of an Eigen matrix
        for (Eigen::Index a = 0; a < rows; ++a)
          for (Eigen::Index b = 0; b < columns; ++b)
            o[i * block + static_cast<std::size_t>(a * columns + b)] = r(a, b);
      }
    }
  }
  if (v.single && rows == 0)
    return py::float_(*o);
  return out;
}

/// Evaluates the predicate `f` (state<double> → bool) at every point: a Python bool for one
/// state, an (N,) bool array for N states.
template <class P, class F>
py::object per_point_predicate(const P& p, const array& x, F f) {
  const states_view v = view_states(x, p.dimension());
  if (v.single)
    return py::bool_(f(state_at(p, v, 0)));
  py::array_t<bool> out(static_cast<py::ssize_t>(v.count));
  for (std::size_t i = 0; i < v.count; ++i)
    out.mutable_data()[i] = f(state_at(p, v, i));
  return out;
}

/// The execution policy of a long call from Python's keyword arguments.
inline execution_policy policy_from(unsigned threads, bool progress, std::size_t tile = 256) {
  execution_policy policy;
  policy.threads = threads;
  policy.progress = progress;
  policy.tile = tile;
  policy.validate();
  return policy;
}

/// Runs `work(policy)` (a long engine call) on a worker thread without the GIL. The calling
/// thread, the one Python delivers signals to, checks for them every 50 ms; on Ctrl-C
/// (KeyboardInterrupt) or any other signal handler that raises, it sets the policy's cancellation
/// flag, waits until the engine has stopped (within one check of a point or one tile) and
/// re-raises the Python exception. Errors of the engine reach Python as usual.
template <class Work>
auto run_interruptible(execution_policy policy, Work work) {
  std::atomic<bool> stop{false};
  policy.cancel = &stop;
  using result_type = decltype(work(policy));
  std::packaged_task<result_type()> task([&] { return work(policy); });
  std::future<result_type> done = task.get_future();
  std::unique_ptr<py::error_already_set> raised; // set once a signal handler raised
  {
    py::gil_scoped_release release;
    std::thread worker(std::move(task));
    while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
      if (raised)
        continue;
      py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {
        raised = std::make_unique<py::error_already_set>();
        stop = true;
      }
    }
    worker.join();
  }
  if (raised) {
    try {
      (void)done.get(); // the engine's gdcert::cancelled, or a result that finished anyway
    } catch (const cancelled&) {
    }
    throw std::move(*raised);
  }
  return done.get();
}

/// Reads an (rows, columns) float64 matrix (a quadratic form, a target matrix).
inline Eigen::MatrixXd matrix_from(const array& a, const char* name) {
  if (a.ndim() != 2)
    throw invalid_parameter(std::string(name) + " number of axes", std::to_string(a.ndim()),
                            "2 (a matrix)");
  Eigen::MatrixXd m(a.shape(0), a.shape(1));
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (py::ssize_t j = 0; j < a.shape(1); ++j)
      m(i, j) = a.at(i, j);
  return m;
}

/// States of `p` → a (count, d) NumPy array (copy): orbits, cycles.
template <class P, class State>
py::array_t<double> states_to_array(const P& p, const std::vector<State>& states) {
  py::array_t<double> out(
      {static_cast<py::ssize_t>(states.size()), static_cast<py::ssize_t>(p.dimension())});
  for (std::size_t i = 0; i < states.size(); ++i) {
    const vector<double> c = p.coordinates(states[i]);
    std::memcpy(out.mutable_data() + i * std::size_t(c.size()), c.data(),
                std::size_t(c.size()) * sizeof(double));
  }
  return out;
}

/// Eigen vector → 1-D NumPy array (copy).
inline py::array_t<double> to_array(const vector<double>& v) {
  py::array_t<double> out(static_cast<py::ssize_t>(v.size()));
  std::memcpy(out.mutable_data(), v.data(), static_cast<std::size_t>(v.size()) * sizeof(double));
  return out;
}

void bind_problems(py::module_& m);
void bind_certificates(py::module_& m);
void bind_trajectories(py::module_& m);
void bind_sweep(py::module_& m);
void bind_scans(py::module_& m);
void bind_dynamics(py::module_& m);
void bind_verifier(py::module_& m);
void bind_matrix(py::module_& m);

} // namespace gdcert::python
