package io.berth.agent.proxy;

/**
 * Services and EndpointSlices delivered by something that runs on its own threads: the API server's
 * informers ({@code kubeapi.ProxyConfigSource}). The file source is driven by {@link ServiceProxy}
 * itself on the sync thread and is not one of these.
 */
@FunctionalInterface
public interface ServiceSource {
  /**
   * Starts delivering events to {@code handler} (from any thread).
   *
   * @param withSlices false when only the Services are wanted (the proxy is off, but new containers
   *     still get the Service environment variables)
   * @return what stops the delivery
   */
  AutoCloseable start(ProxyEventHandler handler, boolean withSlices);
}
