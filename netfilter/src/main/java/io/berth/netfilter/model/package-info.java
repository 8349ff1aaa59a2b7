/**
 * The desired state of service VIPs on this node, as immutable records: {@link
 * io.berth.netfilter.model.ServicePort} (frontends, policies, affinity, endpoints) per IP family,
 * {@link io.berth.netfilter.model.Endpoint} with EndpointSlice conditions, node-wide {@link
 * io.berth.netfilter.model.ProxyConfig}, and {@link io.berth.netfilter.model.ServiceModel}, the
 * complete input of one sync. Endpoint choice follows kube-proxy ({@link
 * io.berth.netfilter.model.EndpointSelection}).
 */
package io.berth.netfilter.model;
