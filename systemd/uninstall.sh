#!/usr/bin/env bash
# Removes what systemd/install.sh installed:
#
#   systemd/uninstall.sh [--root DIR] [--prefix /opt/berth] [--keep-config]
#
# On a live node (root /) it first stops and disables berth.service when systemd is PID 1, then
# removes berth's netfilter tables with `berth cleanup` when the installed berth has that command.
# Pods keep running in the container runtime; their logs (/var/log/pods) and berth's state
# (/var/lib/berth) are left alone. With --root DIR only files under DIR are touched (no systemctl,
# no netfilter: those belong to the running machine, not to DIR). --keep-config keeps /etc/berth.
set -euo pipefail
root=/
prefix=/opt/berth
keep_config=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a directory}; shift 2 ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --keep-config) keep_config=1; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$prefix" in /*) ;; *) echo "uninstall.sh: --prefix must be absolute, got '$prefix'" >&2; exit 2 ;; esac
[ -d "$root" ] || { echo "uninstall.sh: no directory $root" >&2; exit 2; }
root=$(cd "$root" && pwd)
dest=${root%/}$prefix

if [ "$root" = / ]; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now berth.service 2>/dev/null || true
  fi
  if [ -x "$dest/bin/berth" ] && "$dest/bin/berth" help 2>/dev/null | grep -q "berth cleanup"; then
    "$dest/bin/berth" cleanup || echo "uninstall.sh: 'berth cleanup' failed; berth's netfilter tables may remain" >&2
  fi
fi

rm -f "${root%/}/etc/systemd/system/berth.service"
link=${root%/}/usr/local/bin/berth
if [ -L "$link" ] && [ "$(readlink "$link")" = "$prefix/bin/berth" ]; then rm -f "$link"; fi
rm -rf "$dest"
[ "$keep_config" = 1 ] || rm -rf "${root%/}/etc/berth"
if [ "$root" = / ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload
fi
echo "berth: removed from ${dest}" >&2
