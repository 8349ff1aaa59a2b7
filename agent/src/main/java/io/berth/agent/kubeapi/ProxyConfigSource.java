package io.berth.agent.kubeapi;

import io.berth.agent.proxy.ProxyEventHandler;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Services and EndpointSlices from the API server for the service proxy, as kube-proxy's config
 * informers deliver them: two informers (all namespaces, label selector {@code
 * !service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless}) whose events go to a
 * {@link ProxyEventHandler}, with {@code on*Synced} after each one's first list.
 *
 * <p>Not wired into {@code berth run} yet: the proxier is started by the service proxy work (issue
 * #6); wiring is {@code new ProxyConfigSource(client, proxier, ...).start()}.
 */
public final class ProxyConfigSource implements AutoCloseable {
  /** kube-proxy's selector: Services of another proxy and headless ones are not ours. */
  static final String SELECTOR =
      "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless";

  private final Informer<Service> services;
  private final Informer<EndpointSlice> slices;

  public ProxyConfigSource(
      KubeApiClient client,
      ProxyEventHandler handler,
      Duration watchTimeout,
      java.util.function.Supplier<RetryBackoff> backoff,
      RateLimiter.Sleeper sleeper) {
    this.services =
        new Informer<>(
            client,
            Service.class,
            new Informer.Options(ResourcePath.SERVICES, SELECTOR, null, watchTimeout),
            forward(
                handler::onServiceAdd,
                handler::onServiceUpdate,
                handler::onServiceDelete,
                handler::onServicesSynced),
            backoff.get(),
            sleeper);
    this.slices =
        new Informer<>(
            client,
            EndpointSlice.class,
            new Informer.Options(ResourcePath.ENDPOINT_SLICES, SELECTOR, null, watchTimeout),
            forward(
                handler::onEndpointSliceAdd,
                handler::onEndpointSliceUpdate,
                handler::onEndpointSliceDelete,
                handler::onEndpointSlicesSynced),
            backoff.get(),
            sleeper);
  }

  /** Informer events to handler calls; {@code synced} once, after the first list. */
  private static <T> Informer.Handler<T> forward(
      Consumer<T> add, BiConsumer<T, T> update, Consumer<T> delete, Runnable synced) {
    return new Informer.Handler<>() {
      private boolean listed;

      @Override
      public void onEvent(InformerEvent<T> e) {
        switch (e) {
          case InformerEvent.Added<T> a -> add.accept(a.object());
          case InformerEvent.Updated<T> u -> update.accept(u.old(), u.current());
          case InformerEvent.Deleted<T> d -> delete.accept(d.last());
        }
      }

      @Override
      public void onListed() {
        if (!listed) {
          listed = true;
          synced.run();
        }
      }
    };
  }

  public void start() {
    services.start();
    slices.start();
  }

  @Override
  public void close() throws InterruptedException {
    services.close();
    slices.close();
  }
}
