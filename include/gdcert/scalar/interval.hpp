// Deprecated forwarding header: the number types moved to <gdcert/numbers/interval.hpp> (CHANGELOG,
// 0.2). This header will be removed in the next release.
#pragma once

#include <gdcert/numbers/interval.hpp>
