#!/usr/bin/env bash
# Installs gdcert's Debian build dependencies that are missing (idempotent; no-op when all present).
set -euo pipefail
packages=(cmake ninja-build g++ libeigen3-dev libspectra-dev libboost-dev libcli11-dev catch2 libbenchmark-dev libstb-dev clang libclang-rt-dev doxygen pkg-config libcairo2-dev fonts-dejavu-core python3-dev python3-numpy pybind11-dev python3-pytest python3-matplotlib libopenmpi-dev openmpi-bin)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "gdcert: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
