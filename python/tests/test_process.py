"""What only a separate process shows: Ctrl-C stops a long sweep through the cancellation flag
(KeyboardInterrupt), and an installed copy imports from outside the build tree."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

LONG_SWEEP = textwrap.dedent("""
    import sys, time
    import gdcert
    p = gdcert.Rank1Factorization(1.3)
    plane = gdcert.coordinate_plane(p, [0, 0, 0.1, 0.1], 0, (-2, 2, 2000), 1, (-2, 2, 2000))
    print("started", flush=True)
    start = time.monotonic()
    try:
        gdcert.sweep(p, plane, max_steps=100000, threads=2, progress=False)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted after {time.monotonic() - start:.2f} s", flush=True)
        sys.exit(42)
""")


def test_ctrl_c_stops_a_long_sweep_with_keyboard_interrupt():
    child = subprocess.Popen([sys.executable, "-c", LONG_SWEEP], stdout=subprocess.PIPE, text=True,
                             env=os.environ.copy())
    assert child.stdout.readline().strip() == "started"
    time.sleep(1.0)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 42, output
    assert "interrupted" in output
    assert time.monotonic() - sent < 10  # within a check interval of every point, not minutes


def test_installed_copy_imports_from_outside_the_build_tree(tmp_path):
    build = os.environ.get("GDCERT_CMAKE_BINARY_DIR")
    cmake = os.environ.get("GDCERT_CMAKE_COMMAND", "cmake")
    if not build:
        pytest.skip("GDCERT_CMAKE_BINARY_DIR is set by CTest")
    env = os.environ.copy()
    env["DESTDIR"] = str(tmp_path / "root")
    subprocess.run([cmake, "--install", build, "--component", "python"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    packages = [str(p.parent) for p in (tmp_path / "root").rglob("gdcert/__init__.py")]
    assert len(packages) == 1
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.path.dirname(packages[0])
    work = tmp_path / "elsewhere"
    work.mkdir()
    out = subprocess.run([sys.executable, "-c", "import gdcert; print(gdcert.__file__); "
                          "print(gdcert.Rank1Factorization(0.5).loss([1, 1, 0, 0]))"],
                         cwd=work, env=env, check=True, capture_output=True, text=True).stdout
    path, loss = out.split()
    assert path.startswith(packages[0]) and float(loss) == 0.0
