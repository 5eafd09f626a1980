#!/usr/bin/env bash
# Installs the Debian 12 packages sandan needs to build, test and run. Idempotent: when everything
# is present it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format clang-tidy git
  # clang-tidy parses the OpenMP sources with clang, which needs its own omp.h
  libomp-dev
  # the libFuzzer harnesses (tools/fuzz.sh): clang and its runtime libraries (libFuzzer, ASan, UBSan)
  clang libclang-rt-14-dev
  libgdal-dev gdal-bin libproj-dev proj-bin libhdf5-dev libeigen3-dev
  doctest-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  # sandan serve: the HTTP server of the view
  libcpp-httplib-dev
  libopenmpi-dev openmpi-bin
  pybind11-dev python3-dev python3-numpy python3-h5py python3-pytest python3-xarray python3-h5netcdf python3-yaml
  python3-pandas python3-matplotlib
  # the Korean report (python3 -m sandan.report --lang ko): its font, subset with fontTools (WOFF2: brotli)
  fonts-nanum python3-fonttools python3-brotli
  # the control-centre view's browser tests (web/tests): the system's Chromium (the Korean font: above)
  chromium
)
# node and npm for the view's packages (web/package.json); a machine that has npm from elsewhere keeps it
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present" >&2

# The view's JavaScript packages (maplibre-gl, playwright-core) from web/package-lock.json, again only
# when the lock file is newer than what is installed.
web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/web"
if [[ ! -f "$web_dir/node_modules/.package-lock.json" || "$web_dir/package-lock.json" -nt "$web_dir/node_modules/.package-lock.json" ]]; then
  echo "setup: installing the view's packages (npm ci in web/)" >&2
  (cd "$web_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "setup: web packages present" >&2
