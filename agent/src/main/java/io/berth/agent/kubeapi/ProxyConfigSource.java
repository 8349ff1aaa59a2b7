package io.berth.agent.kubeapi;

import io.berth.agent.proxy.ProxyEventHandler;
import io.berth.agent.proxy.ServiceSource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Services and EndpointSlices from the API server for the service proxy, as kube-proxy's config
 * informers deliver them: two informers (all namespaces, label selector {@code
 * !service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless}) whose events go to a
 * {@link ProxyEventHandler}, with {@code on*Synced} after each one's first list.
 *
 * <p>{@code berth run --kubeconfig} wires it through {@link #of} as the Service proxy's {@link
 * ServiceSource}; with the proxy off only the Services informer runs (the Service environment
 * variables of new containers still need the Services).
 */
public final class ProxyConfigSource implements AutoCloseable {
  /** kube-proxy's selector: Services of another proxy and headless ones are not ours. */
  static final String SELECTOR =
      "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless";

  /** How long one watch request may stay open before it is renewed (as the pod source's). */
  static final Duration WATCH_TIMEOUT = Duration.ofMinutes(5);

  private final Informer<Service> services;
  private final Informer<EndpointSlice> slices; // null: Services only
  private final Informer<Node> node; // null: no node name given, or Services only

  /** Services and EndpointSlices to {@code handler}. */
  public ProxyConfigSource(
      KubeApiClient client,
      ProxyEventHandler handler,
      Duration watchTimeout,
      java.util.function.Supplier<RetryBackoff> backoff,
      RateLimiter.Sleeper sleeper) {
    this(client, handler, true, watchTimeout, backoff, sleeper);
  }

  /**
   * @param withSlices false: only the Services informer runs and {@code on*Synced} for slices is
   *     never called
   */
  public ProxyConfigSource(
      KubeApiClient client,
      ProxyEventHandler handler,
      boolean withSlices,
      Duration watchTimeout,
      java.util.function.Supplier<RetryBackoff> backoff,
      RateLimiter.Sleeper sleeper) {
    this(client, handler, withSlices, "", watchTimeout, backoff, sleeper);
  }

  /**
   * @param nodeName this node: with slices, its Node's labels go to {@link
   *     ProxyEventHandler#onNodeLabels} (the topology zone); "" for none
   */
  public ProxyConfigSource(
      KubeApiClient client,
      ProxyEventHandler handler,
      boolean withSlices,
      String nodeName,
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
        !withSlices
            ? null
            : new Informer<>(
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
    this.node =
        !withSlices || nodeName.isEmpty()
            ? null
            : new Informer<>(
                client,
                Node.class,
                new Informer.Options(
                    ResourcePath.NODES, null, "metadata.name=" + nodeName, watchTimeout),
                nodeLabels(handler),
                backoff.get(),
                sleeper);
  }

  /** The node's labels on every add and update; a deleted node has none. */
  private static Informer.Handler<Node> nodeLabels(ProxyEventHandler handler) {
    return new Informer.Handler<>() {
      @Override
      public void onEvent(InformerEvent<Node> e) {
        switch (e) {
          case InformerEvent.Added<Node> a -> handler.onNodeLabels(labels(a.object()));
          case InformerEvent.Updated<Node> u -> handler.onNodeLabels(labels(u.current()));
          case InformerEvent.Deleted<Node> d -> handler.onNodeLabels(java.util.Map.of());
        }
      }
    };
  }

  private static java.util.Map<String, String> labels(Node n) {
    return n.getMetadata() == null || n.getMetadata().getLabels() == null
        ? java.util.Map.of()
        : n.getMetadata().getLabels();
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

  /** The API server as the Service proxy's source, with the reflector's retry defaults. */
  public static ServiceSource of(KubeApiClient client, Clock clock, String nodeName) {
    return (handler, withSlices) -> {
      ProxyConfigSource s =
          new ProxyConfigSource(
              client,
              handler,
              withSlices,
              nodeName,
              WATCH_TIMEOUT,
              () -> RetryBackoff.reflectorDefaults(clock),
              RateLimiter.Sleeper.THREAD);
      s.start();
      return s;
    };
  }

  public void start() {
    services.start();
    if (slices != null) {
      slices.start();
    }
    if (node != null) {
      node.start();
    }
  }

  @Override
  public void close() throws InterruptedException {
    services.close();
    if (slices != null) {
      slices.close();
    }
    if (node != null) {
      node.close();
    }
  }
}
