#!/usr/bin/env bash
# README's second command, and what CI runs: installs what is missing, builds,
# lints, then runs every test tier (unit and end-to-end with real processes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH=/usr/local/bin:$PATH
pnpm install --frozen-lockfile
pnpm lint
pnpm test
