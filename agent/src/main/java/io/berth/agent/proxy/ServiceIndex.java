package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the current Services of a source (for the Service environment variables of new containers,
 * the kubelet's service lister) and passes every event on unchanged to the proxier, if there is
 * one.
 *
 * <p>Thread safety: all methods are synchronized; the downstream handler is called under the lock,
 * so it sees events in the order the source delivered them.
 */
public final class ServiceIndex implements ProxyEventHandler {
  /** Drops everything: for the index alone, without a proxier behind it. */
  public static final ProxyEventHandler NOWHERE =
      new ProxyEventHandler() {
        @Override
        public void onServiceAdd(Service service) {}

        @Override
        public void onServiceUpdate(Service previous, Service current) {}

        @Override
        public void onServiceDelete(Service service) {}

        @Override
        public void onServicesSynced() {}

        @Override
        public void onEndpointSliceAdd(EndpointSlice slice) {}

        @Override
        public void onEndpointSliceUpdate(EndpointSlice previous, EndpointSlice current) {}

        @Override
        public void onEndpointSliceDelete(EndpointSlice slice) {}

        @Override
        public void onEndpointSlicesSynced() {}
      };

  private final ProxyEventHandler downstream;
  private final Map<ServiceKey, Service> services = new TreeMap<>();

  public ServiceIndex(ProxyEventHandler downstream) {
    this.downstream = downstream;
  }

  /** The Services known now, in namespace/name order. */
  public synchronized List<Service> services() {
    return List.copyOf(services.values());
  }

  @Override
  public synchronized void onServiceAdd(Service service) {
    services.put(ServiceKey.of(service.getMetadata()), service);
    downstream.onServiceAdd(service);
  }

  @Override
  public synchronized void onServiceUpdate(Service previous, Service current) {
    services.put(ServiceKey.of(current.getMetadata()), current);
    downstream.onServiceUpdate(previous, current);
  }

  @Override
  public synchronized void onServiceDelete(Service service) {
    services.remove(ServiceKey.of(service.getMetadata()));
    downstream.onServiceDelete(service);
  }

  @Override
  public synchronized void onServicesSynced() {
    downstream.onServicesSynced();
  }

  @Override
  public synchronized void onEndpointSliceAdd(EndpointSlice slice) {
    downstream.onEndpointSliceAdd(slice);
  }

  @Override
  public synchronized void onEndpointSliceUpdate(EndpointSlice previous, EndpointSlice current) {
    downstream.onEndpointSliceUpdate(previous, current);
  }

  @Override
  public synchronized void onEndpointSliceDelete(EndpointSlice slice) {
    downstream.onEndpointSliceDelete(slice);
  }

  @Override
  public synchronized void onEndpointSlicesSynced() {
    downstream.onEndpointSlicesSynced();
  }

  @Override
  public synchronized void onNodeLabels(Map<String, String> labels) {
    downstream.onNodeLabels(labels);
  }
}
