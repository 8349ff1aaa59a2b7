/**
 * Stale UDP conntrack cleanup, as kube-proxy does it: {@link
 * io.berth.netfilter.conntrack.StaleUdpFlows} turns a model change (previous → current {@code
 * ServiceModel}) into {@link io.berth.netfilter.conntrack.FlowFilter}s; {@link
 * io.berth.netfilter.conntrack.ConntrackCleaner} deletes the matching entries through a {@link
 * io.berth.netfilter.conntrack.ConntrackTable}, in production {@link
 * io.berth.netfilter.conntrack.NetlinkConntrackTable}: ctnetlink over a raw {@code
 * NETLINK_NETFILTER} socket (libc through jnr-ffi), on one dedicated thread that may have entered a
 * network namespace. {@code ConntrackCleaner.reconcile(current)} is the history-free variant
 * (kube-proxy 1.31+ {@code CleanStaleEntries}). The {@code conntrack} binary is never run.
 */
package io.berth.netfilter.conntrack;
