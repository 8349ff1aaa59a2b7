package io.berth.agent.config;

import io.berth.agent.kubeapi.Informer;
import io.berth.agent.kubeapi.InformerEvent;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.RateLimiter;
import io.berth.agent.kubeapi.ResourcePath;
import io.berth.agent.kubeapi.RetryBackoff;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The pods the API server binds to this node, as a {@link ConfigSource#API} source: an informer on
 * pods with {@code fieldSelector=spec.nodeName=<node>} whose whole view is merged into {@link
 * PodConfig} after every change (the kubelet's {@code config.NewSourceApiserver}: a reflector into
 * an undelta store that sends SET). The API server has defaulted and validated the pods already;
 * Mirror pods (annotation {@code kubernetes.io/config.mirror}) are left out: they stand for static
 * pods berth already runs. berth's scheme defaults are applied again only so that fields a test
 * server leaves out read as on a real cluster (they are idempotent). A pod with a deletionTimestamp
 * reaches the sync loop as a graceful {@code Delete} through PodConfig.
 *
 * <p>Thread safety: the informer's thread merges; {@link #close()} from any thread.
 */
public final class ApiServerSource implements AutoCloseable {
  /** client-go's reflector: watches last 5–10 minutes on the server before they are renewed. */
  static final Duration WATCH_TIMEOUT = Duration.ofMinutes(5);

  private final Informer<Pod> informer;
  private final SnapshotSink sink;

  public ApiServerSource(
      KubeApiClient client, String nodeName, SnapshotSink sink, RetryBackoff backoff) {
    this.sink = sink;
    sink.register(ConfigSource.API);
    this.informer =
        new Informer<>(
            client,
            Pod.class,
            new Informer.Options(
                ResourcePath.PODS, null, "spec.nodeName=" + nodeName, WATCH_TIMEOUT),
            new Informer.Handler<>() {
              @Override
              public void onEvent(InformerEvent<Pod> event) {
                publish();
              }

              @Override
              public void onListed() {
                publish();
              }
            },
            backoff,
            RateLimiter.Sleeper.THREAD);
  }

  public void start() {
    informer.start();
  }

  /** True once the first list has reached PodConfig. */
  public boolean hasSynced() {
    return informer.hasSynced();
  }

  /** True for pods from the API server; false for static pods (file, URL). */
  public static boolean isFromApi(Pod pod) {
    java.util.Map<String, String> a = pod.getMetadata().getAnnotations();
    return a != null
        && ConfigSource.API.annotationValue().equals(a.get(PodConfig.CONFIG_SOURCE_ANNOTATION));
  }

  /** Mirror pods stand for static pods; they are not run from this source. */
  public static boolean isMirror(Pod pod) {
    java.util.Map<String, String> a = pod.getMetadata().getAnnotations();
    return a != null && a.containsKey(PodConfig.CONFIG_MIRROR_ANNOTATION);
  }

  /** The pods bound to this node as the API server has them now (mirror pods included). */
  public List<Pod> apiPods() {
    return informer.list();
  }

  private void publish() {
    List<Pod> pods =
        informer.list().stream()
            .filter(p -> !isMirror(p))
            .map(io.berth.agent.kuberuntime.PodDefaults::apply)
            .sorted(
                Comparator.comparing(
                        (Pod p) -> p.getMetadata().getCreationTimestamp(),
                        Comparator.nullsFirst(Comparator.naturalOrder()))
                    .thenComparing(PodConfig::fullName))
            .toList();
    sink.merge(new SourceSnapshot(ConfigSource.API, pods, List.of()));
  }

  @Override
  public void close() throws InterruptedException {
    informer.close();
  }
}
