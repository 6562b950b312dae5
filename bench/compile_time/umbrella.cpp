// Compile-time report: the umbrella header with an empty main (what merely including gdcert costs).
#include <gdcert/gdcert.hpp>

int main() {}
