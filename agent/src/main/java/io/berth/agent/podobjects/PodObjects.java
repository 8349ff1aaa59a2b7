package io.berth.agent.podobjects;

import io.berth.agent.kuberuntime.ConfigSource;
import java.util.Map;
import java.util.Optional;

/**
 * The ConfigMaps and Secrets the pod machinery reads ({@code configMapKeyRef}, {@code envFrom},
 * configMap/secret/projected volumes): the API server's ({@link WatchedObjects}) once the control
 * plane has {@link #attach attached} them, and the static object directory ({@code
 * --static-object-dir}, or none) for what the API server does not have and in standalone mode.
 *
 * <p>The pod machinery is built before the control plane connects, so the API side is attached
 * later rather than passed in.
 *
 * <p>Thread safety: any thread.
 */
public final class PodObjects implements ConfigSource {
  private final ConfigSource local;
  private volatile ConfigSource api;

  /**
   * @param local the static object directory's objects, or {@link ConfigSource#NONE}
   */
  public PodObjects(ConfigSource local) {
    this.local = local;
  }

  /** From now on objects come from {@code api} first. */
  public void attach(ConfigSource api) {
    this.api = api;
  }

  @Override
  public Optional<Map<String, String>> configMap(String namespace, String name) {
    ConfigSource a = api;
    Optional<Map<String, String>> found =
        a == null ? Optional.empty() : a.configMap(namespace, name);
    return found.isPresent() ? found : local.configMap(namespace, name);
  }

  @Override
  public Optional<Map<String, String>> secret(String namespace, String name) {
    ConfigSource a = api;
    Optional<Map<String, String>> found = a == null ? Optional.empty() : a.secret(namespace, name);
    return found.isPresent() ? found : local.secret(namespace, name);
  }
}
