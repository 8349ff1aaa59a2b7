#!/usr/bin/env bash
# Installs berth from an unpacked berth-<version>.tar.gz (run it from the tarball's systemd/):
#
#   systemd/install.sh [--root DIR] [--prefix /opt/berth]
#
#   <prefix>            bin/berth, lib/, systemd/, examples/, README.md (replaced on every install)
#   /etc/berth/         config.yaml and berth.env from the examples, and manifests/ — only when
#                       missing: an operator's configuration is never overwritten
#   /etc/systemd/system/berth.service   the unit, with /opt/berth replaced by <prefix>
#   /usr/local/bin/berth                a link to <prefix>/bin/berth
#
# Idempotent: installing twice gives the same files. --root DIR installs under DIR instead of /
# (for packaging and tests). systemctl is called only when installing into / on a machine whose
# PID 1 is systemd, and then only daemon-reload and enable: starting berth is the operator's call.
set -euo pipefail
src=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
root=/
prefix=/opt/berth
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be absolute, got '$prefix'" >&2; exit 2 ;; esac
[ -x "$src/bin/berth" ] && [ -d "$src/lib" ] || {
  echo "install.sh: $src is not an unpacked berth tarball (no bin/berth or lib/); build one with ./mvnw package" >&2
  exit 2
}
root=$(mkdir -p "$root" && cd "$root" && pwd)
dest=${root%/}$prefix
etc=${root%/}/etc/berth
unit_dir=${root%/}/etc/systemd/system

# The tree: staged next to the destination, then swapped in, so a failed copy leaves the old one.
if [ "$src" != "$dest" ]; then
  mkdir -p "$(dirname "$dest")"
  stage=$(mktemp -d "$(dirname "$dest")/.berth-install.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  cp -a "$src/bin" "$src/lib" "$src/systemd" "$src/examples" "$stage/"
  [ -f "$src/README.md" ] && cp -a "$src/README.md" "$stage/"
  mkdir -p "$stage/cds"
  # keep a CDS archive written by an earlier run of the same version
  [ -d "$dest/cds" ] && cp -a "$dest/cds/." "$stage/cds/" 2>/dev/null || true
  rm -rf "$dest.old"
  [ -e "$dest" ] && mv "$dest" "$dest.old"
  mv "$stage" "$dest"
  rm -rf "$dest.old"
  trap - EXIT
fi
chmod 0755 "$dest" "$dest/bin/berth" "$dest/cds"

mkdir -p "$etc/manifests"
[ -f "$etc/config.yaml" ] || install -m 0644 "$src/examples/config.yaml" "$etc/config.yaml"
[ -f "$etc/berth.env" ] || install -m 0644 "$src/systemd/berth.env" "$etc/berth.env"

mkdir -p "$unit_dir"
sed "s|/opt/berth|$prefix|g" "$src/systemd/berth.service" >"$unit_dir/berth.service.tmp"
chmod 0644 "$unit_dir/berth.service.tmp"
mv "$unit_dir/berth.service.tmp" "$unit_dir/berth.service"

mkdir -p "${root%/}/usr/local/bin"
ln -sfn "$prefix/bin/berth" "${root%/}/usr/local/bin/berth"

if [ "$root" = / ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload
  systemctl enable berth.service
  echo "berth: installed in $prefix and enabled; start it with 'systemctl start berth'" >&2
else
  echo "berth: installed in $dest (no systemd as PID 1 here, or --root given: nothing enabled or started)" >&2
fi
