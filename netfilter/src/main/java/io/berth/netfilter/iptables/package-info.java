/**
 * The iptables model: kube-proxy's iptables rules under berth chain names, rendered as {@code
 * iptables-restore} input and golden-tested. Applying it (through libiptc or iptables-nft's netlink
 * encoding via FFI) is not implemented yet.
 */
package io.berth.netfilter.iptables;
