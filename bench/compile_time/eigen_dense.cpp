// Compile-time report baseline: Eigen's dense module alone (what every Eigen user pays).
#include <Eigen/Dense>

int main() {}
