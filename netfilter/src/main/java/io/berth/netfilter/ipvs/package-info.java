/**
 * IPVS over generic netlink, kube-proxy's IPVS mode as data: {@link
 * io.berth.netfilter.ipvs.IpvsMessages} encodes the {@code IPVS} family's commands (virtual
 * services and real servers: new, set, delete, dump, flush) and decodes the kernel's dump answers
 * into {@link io.berth.netfilter.ipvs.VirtualServer} / {@link io.berth.netfilter.ipvs.RealServer};
 * {@link io.berth.netfilter.ipvs.VirtualServerSet} turns a {@code ServiceModel} into the virtual
 * servers kube-proxy would program and {@link io.berth.netfilter.ipvs.IpvsBackend} applies the
 * minimal command list through an {@link io.berth.netfilter.ipvs.IpvsChannel} ({@link
 * io.berth.netfilter.ipvs.GenlSocket} in production). Constants are the kernel ABI of {@code
 * linux/ip_vs.h}, {@code linux/genetlink.h} and {@code linux/netlink.h}, pinned by tests that read
 * the installed header.
 *
 * <p>Unfinished: this machine's kernel has no ip_vs, so nothing here has run against a kernel with
 * IPVS; the VIP binding on {@code kube-ipvs0} and the ipset/iptables rules kube-proxy adds beside
 * IPVS are not built, so the agent refuses {@code --proxy-mode ipvs} (see netfilter/README.md).
 */
package io.berth.netfilter.ipvs;
