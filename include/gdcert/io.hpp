// The output writers: CSV tables and NumPy .npy arrays, each with its provenance (opt-in: not in
// <gdcert/gdcert.hpp>, whose users should not pay for <filesystem>, <fstream> and <variant>).
// The PNG writers are in io/png.hpp (they need the stb headers, Debian libstb-dev).
#pragma once

#include <gdcert/io/csv.hpp>
#include <gdcert/io/npy.hpp>
#include <gdcert/io/provenance.hpp>
