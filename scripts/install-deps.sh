#!/usr/bin/env bash
# Installs what crbench needs on a Debian 12 host, as root: the Debian packages of the
# runtimes and filesystem tools, then the npm dependencies. Quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runtimes and their helpers, filesystem tools, image building, and report rendering
# (TeX for the PDF, rsvg-convert for PDF figures, Chromium for the HTML test, a font for PNGs).
DEB_PACKAGES=(
  runc crun runsc docker.io containerd podman uidmap fuse-overlayfs lxc lxd rsync
  btrfs-progs xfsprogs e2fsprogs util-linux coreutils tar busybox-static debootstrap
  hyperfine git gcc libc6-dev
  qemu-system-x86 cpio xz-utils zfs-fuse
  texlive-latex-base texlive-latex-recommended lmodern librsvg2-bin poppler-utils chromium fonts-dejavu-core
)

need_node() {
  echo "crbench needs Node.js >= 20.19 (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "Debian 12's own nodejs is 18; install Node 20 from your usual source, then run this again." >&2
  exit 1
}
command -v node >/dev/null || need_node
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || need_node

if [ "$(id -u)" -ne 0 ]; then
  echo "crbench installs Debian packages and formats loop devices: run this as root." >&2
  exit 1
fi

missing=()
for package in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
