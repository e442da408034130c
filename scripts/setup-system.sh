#!/usr/bin/env bash
# Installs the Debian packages the tests need (real VPN servers for test/real/).
# Idempotent: installs only what is missing; runs `apt-get update` only when it installs.
# A package that cannot be installed fails this script with its name and the reason,
# and with it `npm test`: the real-server tests are never skipped silently.
# Other owners: add your packages to `packages` below.
set -euo pipefail

# package -> a file it installs (cheap presence check without dpkg-query per run)
declare -A packages=(
  [openvpn]=/usr/sbin/openvpn
  [softether-vpnserver]=/usr/libexec/softether/vpnserver/vpnserver
  [softether-vpncmd]=/usr/libexec/softether/vpncmd/vpncmd
  [openssl]=/usr/bin/openssl
  [iproute2]=/usr/sbin/ip
  [util-linux]=/usr/bin/unshare
  [python3]=/usr/bin/python3
)

missing=()
for package in "${!packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

fail() {
  echo "setup-system.sh: ERROR: $*" >&2
  echo "setup-system.sh: the real-server tests (test/real/) need these Debian packages: ${!packages[*]}" >&2
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "cannot install ${missing[*]}: not root (run as root, or install them: apt-get install -y ${missing[*]})"
command -v apt-get >/dev/null || fail "cannot install ${missing[*]}: no apt-get on this machine (Debian or Ubuntu needed)"

echo "setup-system.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || fail "apt-get update failed; cannot install ${missing[*]}"
for package in "${missing[@]}"; do
  log=$(apt-get install -y -qq --no-install-recommends "$package" 2>&1) \
    || fail "apt-get install $package failed: $(printf '%s\n' "$log" | tail -n 3)"
done
for package in "${missing[@]}"; do
  [ -e "${packages[$package]}" ] || fail "package $package installed but ${packages[$package]} is missing"
done
