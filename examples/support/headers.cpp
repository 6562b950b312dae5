// The translation unit that carries the examples' precompiled header (examples/CMakeLists.txt):
// the headers themselves are named there.
