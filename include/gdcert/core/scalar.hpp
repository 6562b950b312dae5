// Deprecated forwarding header: the arithmetic helpers moved to <gdcert/core/arithmetic.hpp>
// (CHANGELOG, 0.2). This header will be removed in the next release.
#pragma once

#include <gdcert/core/arithmetic.hpp>
