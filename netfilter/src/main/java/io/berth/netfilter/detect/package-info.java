/**
 * Run-time detection of usable netfilter back ends in a network namespace, like kube-proxy's:
 * nftables (library loads, probe transaction works), iptables flavour in use (legacy vs nft, by
 * counting rules), and IPVS (generic netlink family lookup).
 */
package io.berth.netfilter.detect;
