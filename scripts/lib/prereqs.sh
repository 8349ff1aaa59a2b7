# Sourced by berth's scripts: installs the Debian packages berth and its tests use, once.
# Idempotent: apt-get runs only when something is missing, and `apt-get update` at most once.
BERTH_APT_PACKAGES=(
  containerd runc containernetworking-plugins   # the CRI runtime, OCI runtime and CNI plugins
  nftables libnftables1 iptables conntrack      # netfilter: libnftables for FFI, nft/iptables-restore as benchmark anchors
  busybox-static                                # the rootfs of the test and example images
  prometheus                                    # promtool checks every metrics endpoint; a real server scrapes berth in tests
  iproute2 procps curl                          # network namespaces, veth, bridges; ps; HTTP checks
  gcc libc6-dev                                 # the probe ITs compile a static gRPC health server for the test image
  linux-libc-dev                                # kernel UAPI headers: IpvsAbiTest pins berth's IPVS constants to linux/ip_vs.h
)

berth_install_prereqs() {
  local missing=() p
  for p in "${BERTH_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "berth: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "berth: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  local try
  for try in 1 2 3; do # a mirror hiccup should not fail a CI run
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
      return 0
    fi
    echo "berth: apt-get failed (try $try of 3)" >&2
    sleep $((try * 5))
  done
  return 1
}
