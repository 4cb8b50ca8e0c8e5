#!/usr/bin/env bash
# Fills .device-kit/ (Node, Vulkan loader, the trimmed webgpu package) for a GPU-machine run, via the shared
# ../shared/device/prepare.sh; also from a git worktree, where that script's `.git/info/exclude` is not a path.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
src=${DEVICE_KIT_SOURCE:-$root/../shared/device}
[ -f "$src/prepare.sh" ] || { echo "device-kit: $src/prepare.sh not found (set DEVICE_KIT_SOURCE)" >&2; exit 1; }
if [ -d "$root/.git" ]; then
  (cd "$root" && bash "$src/prepare.sh")
  exit 0
fi
# a worktree: let prepare.sh work in a scratch repository that sees our node_modules, then move the kit here
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git init -q "$tmp"
ln -s "$root/node_modules" "$tmp/node_modules"
(cd "$tmp" && bash "$src/prepare.sh")
rm -rf "$root/.device-kit"
mv "$tmp/.device-kit" "$root/.device-kit"
du -sh "$root/.device-kit"
