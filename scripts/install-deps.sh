#!/usr/bin/env bash
# Install the Debian 12 packages msocket needs to build, test and demo.
# Idempotent and quiet when everything is already present; runs
# `apt-get update` only when a package is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
  libspdlog-dev catch2 libsodium-dev
  libldns-dev  # mnamed's DNS face: the DNS wire format
  iproute2 iputils-ping nftables socat mandoc jq procps coreutils
  bind9-dnsutils  # dig, for the tests of mnamed's DNS face
  gnuplot-nox  # charts of mbench --plot
  dpkg-dev file  # cpack -G DEB: dpkg-shlibdeps finds the tools' dependencies
  clang-16 libclang-rt-16-dev  # scripts/fuzz.sh: libFuzzer and clang's sanitizer runtimes
  etcd-server etcd-client  # mnamed --store etcd=: the store tests and tests/netns/names_etcd_*.sh
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  case "$status" in
    *" ok installed") ;;
    *) missing+=("$package") ;;
  esac
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
