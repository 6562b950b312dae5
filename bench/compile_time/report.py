#!/usr/bin/env python3
"""gdcert's compile-time report: what including and calling gdcert costs a user's build.

Compiles a fixed set of translation units (this folder's *.cpp and examples/readme_example.cpp)
one at a time, each as a user would (`g++ -std=c++20 -O2 -c`), and prints for each the CPU time
(user + system, the best of --repeat runs), the compiler's peak memory and the ratio of the CPU
time to that of `<Eigen/Dense>` alone, measured in the same run. The targets are those of issue
#11 (docs/performance.md, "Compile time"). It is a report, not a test: it exits 0 whatever it
measures, unless a translation unit fails to compile.

    python3 bench/compile_time/report.py                # from the repository root, no build needed
    cmake --build build/test --target compile-time-report   # the same, with CMake's compiler

Only one compiler runs at a time, so the figures are those of an otherwise idle machine when
nothing else runs; on a loaded machine CPU times rise a little, and ratios much less.
"""

import argparse
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# (label, source, extra compile flags, target ratio to <Eigen/Dense> or None); the first entry is
# the baseline.
UNITS = [
    ("`<Eigen/Dense>` alone, empty `main`", HERE / "eigen_dense.cpp", [], None),
    ("`<gdcert/gdcert.hpp>`, empty `main`", HERE / "umbrella.cpp", [], 2.0),
    ("README example (`examples/readme_example.cpp`)", ROOT / "examples" / "readme_example.cpp",
     [], 2.0),
    ("one `classify` call (rank-1 factorization)", HERE / "classify_call.cpp", [], 4.0),
    ("one certified `sweep` call (rank-1 factorization, lanes<4>)", HERE / "sweep_call.cpp", [],
     4.0),
    ("one `verify_inwardness` call (interval proof, App. L)", HERE / "verify_inwardness_call.cpp",
     [], None),
    ("user-defined problem through `classify` and `sweep`", HERE / "user_problem.cpp", [], None),
    ("the same plus `find_periodic_orbit` (Newton + spectrum)", HERE / "user_problem.cpp",
     ["-DGDCERT_REPORT_PERIODIC_ORBIT"], None),
    ("a problem from its loss (`from_loss<3>`) through `classify` and `sweep`",
     HERE / "loss_problem.cpp", [], None),
]
MEMORY_LIMIT_MB = 1000  # no translation unit of the report above 1 GB peak


def version_header(folder: pathlib.Path) -> None:
    """Writes gdcert/version.hpp as CMake's configure_file would, from project(VERSION)."""
    cmake = (ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"project\(gdcert VERSION (\d+)\.(\d+)\.(\d+)", cmake)
    if not match:
        sys.exit("report.py: cannot find project(gdcert VERSION x.y.z) in CMakeLists.txt")
    major, minor, patch = match.groups()
    text = (ROOT / "cmake" / "version.hpp.in").read_text()
    for key, value in {"PROJECT_VERSION_MAJOR": major, "PROJECT_VERSION_MINOR": minor,
                       "PROJECT_VERSION_PATCH": patch,
                       "PROJECT_VERSION": f"{major}.{minor}.{patch}"}.items():
        text = text.replace(f"@{key}@", value)
    (folder / "gdcert").mkdir(parents=True, exist_ok=True)
    (folder / "gdcert" / "version.hpp").write_text(text)


def compile_once(command):
    """Runs one compiler process; returns (CPU seconds, peak resident MB) of it and its children."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write(output.decode(errors="replace"))
        sys.exit(f"report.py: compilation failed: {shlex.join(command)}")
    # ru_maxrss is in KiB on Linux: the largest of the process tree (cc1plus dominates).
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compiler", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--flags", default="-std=c++20 -O2",
                        help="compile flags (default: %(default)s)")
    parser.add_argument("--include", action="append", default=[],
                        help="extra include folders (Eigen's is found as /usr/include/eigen3)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per translation unit; the fastest counts (default 1)")
    parser.add_argument("--markdown", action="store_true",
                        help="print the Markdown table only (docs/performance.md)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")

    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        version_header(scratch / "generated")
        includes = [str(ROOT / "include"), str(scratch / "generated")] + args.include
        if not any("eigen3" in i for i in includes):
            includes.append("/usr/include/eigen3")
        flags = shlex.split(args.flags)
        compiler_version = subprocess.run([args.compiler, "--version"], capture_output=True,
                                          text=True).stdout.splitlines()[0]
        rows = []
        for label, source, defines, target in UNITS:
            command = [args.compiler, *flags, *defines, *[f"-I{i}" for i in includes], "-c",
                       str(source), "-o", str(scratch / "unit.o")]
            runs = [compile_once(command) for _ in range(args.repeat)]
            seconds = min(r[0] for r in runs)
            memory = max(r[1] for r in runs)
            rows.append((label, seconds, memory, target))
            if not args.markdown:
                print(f"  {seconds:6.2f} s  {memory:6.0f} MB  {label}", file=sys.stderr)

    baseline = rows[0][1]
    print(f"Compile-time report ({compiler_version}, `{args.flags}`, one translation unit at a "
          f"time, CPU seconds = user + system, best of {args.repeat}; {time.strftime('%Y-%m-%d')}"
          f", {os.cpu_count()} cores):\n")
    print("| translation unit | CPU s | peak MB | × `<Eigen/Dense>` | target | met |")
    print("|---|---:|---:|---:|---|---|")
    for label, seconds, memory, target in rows:
        ratio = seconds / baseline
        goals = []
        met = memory <= MEMORY_LIMIT_MB
        if target is not None:
            goals.append(f"≤ {target:g}×")
            met = met and ratio <= target
        goals.append(f"≤ {MEMORY_LIMIT_MB} MB")
        print(f"| {label} | {seconds:.2f} | {memory:.0f} | {ratio:.2f} | {', '.join(goals)} | "
              f"{'yes' if met else '**no**'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
