package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

/**
 * What a Service/EndpointSlice source tells the proxier (kube-proxy's {@code ServiceHandler} and
 * {@code EndpointSliceHandler}). {@code *Synced} say the source has delivered its initial state;
 * the proxier does not program anything before both.
 */
public interface ProxyEventHandler {
  void onServiceAdd(Service service);

  void onServiceUpdate(Service previous, Service current);

  void onServiceDelete(Service service);

  void onServicesSynced();

  void onEndpointSliceAdd(EndpointSlice slice);

  void onEndpointSliceUpdate(EndpointSlice previous, EndpointSlice current);

  void onEndpointSliceDelete(EndpointSlice slice);

  void onEndpointSlicesSynced();

  /**
   * This node's labels, when the source knows the Node object (kube-proxy's node handler: the
   * {@code topology.kubernetes.io/zone} label decides which topology hints apply). Sources without
   * a Node (files) never call it.
   */
  default void onNodeLabels(java.util.Map<String, String> labels) {}
}
