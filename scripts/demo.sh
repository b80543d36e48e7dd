#!/usr/bin/env bash
# README's first command: installs what is missing, builds, starts the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH=/usr/local/bin:$PATH
pnpm install --frozen-lockfile
pnpm demo
