#!/usr/bin/python3
"""SciPy's eigsh on matrix factorization's Hessian-vector products: the reference for
bench/sharpness.bench.cpp (docs/engines.md, "Sharpness at matrix scale").

Builds the benchmark's instance (m, n, r) with the same counter-based generator (splitmix64 and
Box-Muller), forms R = BA^T - X once, and times

    scipy.sparse.linalg.eigsh(LinearOperator(matvec=HVP), k=1, which='LA')

where HVP(v) = (A(dB^T B) + dA(B^T B) + R^T dB, dB(A^T A) + B(dA^T A) + R dA) for v = (vec dA, vec dB)
(column-major, as gdcert's coordinates), the product stability/hessian_spectrum.hpp uses. Prints
the time (best of --repeat), the number of products and lambda_max, with eigsh's default tolerance
(machine precision) and with gdcert's (1e-10). NumPy's BLAS decides the threads (OpenBLAS: all
cores). Run with the system interpreter, which has NumPy and SciPy: /usr/bin/python3.
"""
import argparse
import time

import numpy as np
import scipy
from scipy.sparse.linalg import LinearOperator, eigsh

MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def uniform(seed, counters):
    """splitmix64 of seed * 2^40 + counter, the top 53 bits as a uniform in (0, 1)."""
    with np.errstate(over="ignore"):
        z = (np.uint64(seed) << np.uint64(40)) + counters + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def normal_matrix(rows, cols, seed):
    """Column-major rows x cols standard normals, entry i from the uniforms 2i and 2i + 1."""
    i = np.arange(rows * cols, dtype=np.uint64)
    u1 = uniform(seed, np.uint64(2) * i)
    u2 = uniform(seed, np.uint64(2) * i + np.uint64(1))
    values = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return values.reshape((rows, cols), order="F")


def instance(m, n, r):
    a, b = normal_matrix(n, r, 1), normal_matrix(m, r, 2)
    target = b @ a.T + 0.01 * normal_matrix(m, n, 3)
    return target, a + 0.001 * normal_matrix(n, r, 4), b + 0.001 * normal_matrix(m, r, 5)


def hessian_operator(target, a, b):
    m, n, r = b.shape[0], a.shape[0], a.shape[1]
    residual = b @ a.T - target  # formed once, as gdcert's operator does
    gram_a, gram_b = a.T @ a, b.T @ b
    d = (m + n) * r
    count = [0]

    def matvec(v):
        count[0] += 1
        v = np.asarray(v).reshape(-1)
        da = v[: n * r].reshape((n, r), order="F")
        db = v[n * r :].reshape((m, r), order="F")
        out_a = a @ (db.T @ b) + da @ gram_b + residual.T @ db
        out_b = db @ gram_a + b @ (da.T @ a) + residual @ da
        return np.concatenate([out_a.reshape(-1, order="F"), out_b.reshape(-1, order="F")])

    return LinearOperator((d, d), matvec=matvec, dtype=np.float64), count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--m", type=int, default=1000)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--r", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    target, a, b = instance(args.m, args.n, args.r)
    operator, count = hessian_operator(target, a, b)
    print(f"numpy {np.__version__}, scipy {scipy.__version__}; d = {operator.shape[0]}")
    for label, tol in (("default tol (machine precision)", 0.0), ("tol 1e-10", 1e-10)):
        best, products, value = float("inf"), 0, 0.0
        for _ in range(args.repeat):
            count[0] = 0
            start = time.perf_counter()
            values = eigsh(operator, k=1, which="LA", tol=tol, return_eigenvectors=False)
            best = min(best, time.perf_counter() - start)
            products, value = count[0], values[0]
        print(f"eigsh {label}: {best * 1e3:.1f} ms, {products} products, "
              f"lambda_max = {value:.15g}")
    # One product, for the per-product cost.
    v = normal_matrix(operator.shape[0], 1, 6).reshape(-1)
    best = float("inf")
    for _ in range(50):
        start = time.perf_counter()
        operator.matvec(v)
        best = min(best, time.perf_counter() - start)
    print(f"one product: {best * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
