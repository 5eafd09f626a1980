// The pieces of the Python module `_sandan`, one function a file, called from module.cpp.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

namespace sandan::python {

namespace py = pybind11;

// A read-only NumPy view of a vector's data, of the given shape (C order), whose memory is kept
// alive by `owner` (the Python object that holds the vector). None when the vector is empty, as a
// run's facility series are when the scenario did not keep them.
template <typename T>
py::object view(const std::vector<T>& values, std::vector<py::ssize_t> shape, py::handle owner) {
  if (values.empty()) return py::none();
  py::array array(py::dtype::of<T>(), std::move(shape), {}, values.data(), owner);
  py::detail::array_proxy(array.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return array;
}

// A copy of a vector as a one-dimensional NumPy array (for small per-entity tables).
template <typename T>
py::array_t<T> copy_array(const std::vector<T>& values) {
  py::array_t<T> array(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), array.mutable_data());
  return array;
}

void bind_results(py::module_& m);  // results.cpp: Kpi, RunResult and its groups
void bind_site(py::module_& m);     // site.cpp: Site, load_site

}  // namespace sandan::python
