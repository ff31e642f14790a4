#!/usr/bin/env bash
# Installs the Debian packages the tests and benchmarks use, when any is missing.
# A no-op on a machine that has them all; needs root (or sudo) otherwise.
set -euo pipefail
packages=(docker-registry skopeo umoci buildah apache2-utils tar gzip time chromium postgresql)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "missing Debian packages (${missing[*]}) and not root: install them with apt-get" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
# The Debian package starts a registry service on :5000; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
# The postgresql package starts a cluster on :5432; the tests start their own (initdb, pg_ctl) on free ports.
if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
