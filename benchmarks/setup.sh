#!/usr/bin/env bash
# Installs the benchmark peer: PyTorch and torchvision from Debian (python3-torch 1.13 on Debian 12), plus the
# Fashion-MNIST data set, for Debian's own /usr/bin/python3 (a python3 earlier on PATH, e.g. pyenv, does not see them).
# Not part of the test suite's .ci/setup: only the benchmarks need it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(python3-torch python3-torchvision python3-numpy python3-pil dataset-fashion-mnist)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  echo "benchmarks/setup: installing ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
/usr/bin/python3 -c 'import torch, torchvision; print(f"benchmarks/setup: torch {torch.__version__}, torchvision {torchvision.__version__}")'
