# Sourced by scripts/standalone: a containerd for berth on this node, configured the way berth
# needs it on this machine kind (cgroupfs driver, restrict_oom_score_adj, CNI bridge), under
# berth's own paths so it never collides with a system containerd. containerd runs inside the
# node network namespace $BERTH_NETNS (entered with nsenter --net; mounts are the host's), so the
# CNI bridge, its ip_forward and berth's nftables tables live there and the host's root network
# namespace is never changed.
#   BERTH_CTRD_BASE   state dir (socket, pid file, log)      default /run/berth/containerd
#   BERTH_CTRD_ROOT   persistent root (images, snapshots)    default /var/lib/berth/containerd
#   BERTH_CNI_CONF    CNI config dir                         default /etc/berth/cni/net.d
#   BERTH_POD_CIDR    the node's pod subnet                   default 10.214.0.0/24
#   BERTH_NETNS       the node's network namespace            default berth-node
#   BERTH_NODE_CIDR   the node's address in it (uplink node0) default 192.0.2.1/24
BERTH_CTRD_BASE=${BERTH_CTRD_BASE:-/run/berth/containerd}
BERTH_CTRD_ROOT=${BERTH_CTRD_ROOT:-/var/lib/berth/containerd}
BERTH_CNI_CONF=${BERTH_CNI_CONF:-/etc/berth/cni/net.d}
BERTH_POD_CIDR=${BERTH_POD_CIDR:-10.214.0.0/24}
BERTH_NETNS=${BERTH_NETNS:-berth-node}
BERTH_NODE_CIDR=${BERTH_NODE_CIDR:-192.0.2.1/24}
BERTH_NODE_IP=${BERTH_NODE_CIDR%/*}
BERTH_CTRD_SOCK=$BERTH_CTRD_BASE/containerd.sock
BERTH_PAUSE_IMAGE=${BERTH_PAUSE_IMAGE:-registry.berth.test/pause:3.9}

berth_write_atomic() { # $1 = path; content on stdin (containerd reloads half-written files)
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp" && mv -f "$tmp" "$1"
}

berth_in_node() { # runs "$@" in the node's network namespace (nothing else changes)
  nsenter --net="/run/netns/$BERTH_NETNS" -- "$@"
}

# The node namespace: loopback, an uplink node0 (a veth pair with both ends inside; this kernel
# kind has no dummy module) holding the node address and the default route, so Service VIPs route
# before berth's DNAT as on a real node. The CNI bridge plugin turns on ip_forward in here only.
berth_node_netns_up() {
  [ -e "/run/netns/$BERTH_NETNS" ] && return 0
  echo "berth: creating the node network namespace $BERTH_NETNS (node address $BERTH_NODE_CIDR)" >&2
  ip netns add "$BERTH_NETNS"
  ip -n "$BERTH_NETNS" link set lo up
  ip -n "$BERTH_NETNS" link add node0 type veth peer name node0-peer
  ip -n "$BERTH_NETNS" addr add "$BERTH_NODE_CIDR" dev node0
  ip -n "$BERTH_NETNS" link set node0-peer up
  ip -n "$BERTH_NETNS" link set node0 up
  ip -n "$BERTH_NETNS" route add default dev node0
}

berth_node_netns_down() { # deletes the namespace and every interface and nft table in it
  [ -e "/run/netns/$BERTH_NETNS" ] || return 0
  ip netns del "$BERTH_NETNS"
}

berth_containerd_config() {
  mkdir -p "$BERTH_CTRD_BASE" "$BERTH_CTRD_ROOT" "$BERTH_CNI_CONF"
  berth_write_atomic "$BERTH_CTRD_BASE/config.toml" <<TOML
version = 2
root = "$BERTH_CTRD_ROOT"
state = "$BERTH_CTRD_BASE/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$BERTH_CTRD_SOCK"

[ttrpc]
  address = "$BERTH_CTRD_BASE/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$BERTH_CTRD_ROOT/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$BERTH_PAUSE_IMAGE"
  # root on this machine kind lacks CAP_SYS_RESOURCE: a negative oom_score_adj would fail every sandbox
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$BERTH_CTRD_BASE/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$BERTH_CNI_CONF"
TOML
  berth_write_atomic "$BERTH_CNI_CONF/10-berth.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "berth",
  "plugins": [
    {"type": "bridge", "bridge": "berth0", "isGateway": true, "hairpinMode": true, "ipMasq": false,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$BERTH_POD_CIDR"}]],
              "dataDir": "$BERTH_CTRD_ROOT/cni-ipam"}},
    {"type": "loopback"}
  ]
}
JSON
}

berth_containerd_pid() { # prints the PID of the containerd this script started, if it still runs
  local pid
  pid=$(cat "$BERTH_CTRD_BASE/containerd.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f /usr/bin/containerd)" ] && echo "$pid"
}

berth_containerd_start() {
  if berth_containerd_pid >/dev/null; then return 0; fi
  berth_containerd_config
  berth_node_netns_up
  local log_from
  log_from=$(stat -c %s "$BERTH_CTRD_BASE/containerd.log" 2>/dev/null || echo 0)
  echo "berth: starting containerd in $BERTH_NETNS (socket $BERTH_CTRD_SOCK, log $BERTH_CTRD_BASE/containerd.log)" >&2
  setsid nsenter --net="/run/netns/$BERTH_NETNS" -- containerd --config "$BERTH_CTRD_BASE/config.toml" \
    >>"$BERTH_CTRD_BASE/containerd.log" 2>&1 </dev/null &
  local pid=$! i
  echo "$pid" >"$BERTH_CTRD_BASE/containerd.pid"
  # Until setsid and nsenter have exec'd, /proc/$pid/exe is not containerd yet, so liveness
  # here is kill -0 on the PID just started (berth_containerd_pid would see "not ours" and give up).
  for i in $(seq 1 300); do
    [ -S "$BERTH_CTRD_SOCK" ] && ctr -a "$BERTH_CTRD_SOCK" version >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "berth: containerd (pid $pid) did not come up within 30 s; its last log lines:" >&2
  tail -c "+$((log_from + 1))" "$BERTH_CTRD_BASE/containerd.log" | tail -n 20 >&2
  return 1
}

berth_containerd_stop() {
  local pid
  pid=$(berth_containerd_pid) || return 0
  echo "berth: stopping containerd (pid $pid)" >&2
  kill -TERM "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$BERTH_CTRD_BASE/containerd.pid"
}

# Versions of this script before the node namespace turned on the host's ip_forward and saved its
# old value; `clean` puts that back if such a file is still there.
berth_restore_ip_forward() {
  local orig
  orig=$(cat "$BERTH_CTRD_BASE/ip_forward.orig" 2>/dev/null) || return 0
  sysctl -qw net.ipv4.ip_forward="$orig" && rm -f "$BERTH_CTRD_BASE/ip_forward.orig"
}
