package io.berth.agent.podobjects;

import io.berth.agent.kubeapi.Informer;
import io.berth.agent.kubeapi.InformerEvent;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.RateLimiter;
import io.berth.agent.kubeapi.ResourcePath;
import io.berth.agent.kubeapi.RetryBackoff;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link WatchedObjects.WatchFactory} on the API server: one {@link Informer} per object, listing
 * and watching {@code /api/v1/namespaces/NS/configmaps?fieldSelector=metadata.name=NAME} (or
 * secrets) as the kubelet's per-object reflectors do, with the informer's re-watch, re-list on 410
 * and back-off.
 */
public final class ApiObjectWatches implements WatchedObjects.WatchFactory {
  /** As the kubelet's object reflectors (client-go's 5–10 min). */
  static final Duration WATCH_TIMEOUT = Duration.ofMinutes(5);

  private final KubeApiClient client;
  private final Supplier<RetryBackoff> backoff;

  public ApiObjectWatches(KubeApiClient client, Supplier<RetryBackoff> backoff) {
    this.client = client;
    this.backoff = backoff;
  }

  @Override
  public WatchedObjects.ObjectWatch start(ObjectKey key, Runnable changed) {
    return switch (key.kind()) {
      case CONFIG_MAP ->
          new One<>(key, ConfigMap.class, ResourcePath.CONFIGMAPS, ApiObjectWatches::data, changed);
      case SECRET ->
          new One<>(key, Secret.class, ResourcePath.SECRETS, ApiObjectWatches::data, changed);
    };
  }

  /**
   * A ConfigMap's {@code data} and {@code binaryData} (decoded; berth's volumes and env carry text,
   * so binary values that are not UTF-8 are not byte-exact).
   */
  static Map<String, String> data(ConfigMap cm) {
    Map<String, String> out = new LinkedHashMap<>();
    if (cm.getData() != null) {
      out.putAll(cm.getData());
    }
    if (cm.getBinaryData() != null) {
      cm.getBinaryData().forEach((k, v) -> out.put(k, decode(k, v)));
    }
    return out;
  }

  /** A Secret's {@code data}, decoded, and {@code stringData} (which a real server folds in). */
  static Map<String, String> data(Secret s) {
    Map<String, String> out = new LinkedHashMap<>();
    if (s.getData() != null) {
      s.getData().forEach((k, v) -> out.put(k, decode(k, v)));
    }
    if (s.getStringData() != null) {
      out.putAll(s.getStringData());
    }
    return out;
  }

  private static String decode(String key, String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key \"" + key + "\" is not base64: " + e.getMessage(), e);
    }
  }

  private final class One<T extends HasMetadata> implements WatchedObjects.ObjectWatch {
    private final Informer<T> informer;
    private final String cacheKey;
    private final Function<T, Map<String, String>> data;
    private volatile boolean listed;

    One(
        ObjectKey key,
        Class<T> type,
        ResourcePath path,
        Function<T, Map<String, String>> data,
        Runnable changed) {
      this.cacheKey = key.namespace() + "/" + key.name();
      this.data = data;
      this.informer =
          new Informer<>(
              client,
              type,
              new Informer.Options(
                  path.inNamespace(key.namespace()),
                  null,
                  "metadata.name=" + key.name(),
                  WATCH_TIMEOUT),
              new Informer.Handler<>() {
                @Override
                public void onEvent(InformerEvent<T> event) {
                  if (listed) {
                    changed.run();
                  }
                }

                @Override
                public void onListed() {
                  if (listed) {
                    changed.run(); // a re-list after 410 may have changed the object
                  }
                  listed = true;
                }
              },
              backoff.get(),
              RateLimiter.Sleeper.THREAD);
      informer.start();
    }

    @Override
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
      return informer.awaitSynced(timeout);
    }

    @Override
    public Optional<Map<String, String>> data() {
      return informer.get(cacheKey).map(data);
    }

    @Override
    public void close() {
      try {
        informer.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
