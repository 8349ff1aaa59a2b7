package io.berth.agent.proxy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The endpointslice controller's job for standalone mode, sitting between a Service source and the
 * proxier: every event passes through unchanged, and for each Service that has a selector and no
 * EndpointSlice of its own in the source, berth makes the slices from its own pods ({@link
 * PodEndpointSlices}) and keeps them current as pods start, become ready, terminate and go away.
 *
 * <pre>
 *   ServiceFileSource ──events──▶ LocalEndpointSlices ──events + generated slices──▶ Proxier
 *                                        ▲ resync() every second
 *                                  LocalPods (berth's pod view + pod workers)
 * </pre>
 *
 * <p>A source slice for a Service takes precedence: the generated ones are withdrawn while it
 * exists. Slices are only sent when their content changes; each new version carries the {@code
 * endpoints.kubernetes.io/last-change-trigger-time} annotation (the time berth saw the change), so
 * the proxier's network programming latency covers pod changes. Endpoint slices are reported synced
 * to the proxier only once the source's slices are synced and {@link LocalPods#synced()} (at most
 * {@link #MAX_POD_SYNC_WAIT} after the source), so a restart does not reject a Service for the
 * moment before its running pods have been looked at.
 *
 * <p>Thread safety: all methods are synchronized; the downstream handler is called under the lock.
 */
public final class LocalEndpointSlices implements ProxyEventHandler {
  private static final Logger log = LoggerFactory.getLogger(LocalEndpointSlices.class);

  /** How long slices wait for the pods to be synced before reporting synced anyway. */
  public static final Duration MAX_POD_SYNC_WAIT = Duration.ofSeconds(30);

  /** How often {@link #resyncPeriodically} looks at the pods: the kubelet's PLEG period. */
  public static final Duration RESYNC_PERIOD = Duration.ofSeconds(1);

  private final ProxyEventHandler downstream;
  private final LocalPods pods;
  private final String nodeName;
  private final Clock clock;
  private final Map<ServiceKey, Service> services = new TreeMap<>();
  private final Map<ServiceKey, Set<String>> sourceSlices = new HashMap<>();

  /** Generated slices by service, without the annotation (what "changed" is judged on). */
  private final Map<ServiceKey, List<EndpointSlice>> generated = new HashMap<>();

  /** The last version sent downstream per slice name (with annotation). */
  private final Map<String, EndpointSlice> sent = new HashMap<>();

  private boolean sourceSlicesSynced;
  private Instant sourceSyncedAt;
  private boolean reportedSynced;

  public LocalEndpointSlices(
      ProxyEventHandler downstream, LocalPods pods, String nodeName, Clock clock) {
    this.downstream = downstream;
    this.pods = pods;
    this.nodeName = nodeName;
    this.clock = clock;
  }

  /** The Services known now (for the service environment variables of new containers). */
  public synchronized List<Service> services() {
    return List.copyOf(services.values());
  }

  @Override
  public synchronized void onServiceAdd(Service service) {
    downstream.onServiceAdd(service);
    services.put(ServiceKey.of(service.getMetadata()), service);
    reconcile();
  }

  @Override
  public synchronized void onServiceUpdate(Service previous, Service current) {
    downstream.onServiceUpdate(previous, current);
    services.put(ServiceKey.of(current.getMetadata()), current);
    reconcile();
  }

  @Override
  public synchronized void onServiceDelete(Service service) {
    downstream.onServiceDelete(service);
    services.remove(ServiceKey.of(service.getMetadata()));
    reconcile();
  }

  @Override
  public synchronized void onServicesSynced() {
    downstream.onServicesSynced();
  }

  @Override
  public synchronized void onEndpointSliceAdd(EndpointSlice slice) {
    downstream.onEndpointSliceAdd(slice);
    SliceInfo.serviceOf(slice).ifPresent(k -> addSource(k, slice));
    reconcile();
  }

  @Override
  public synchronized void onEndpointSliceUpdate(EndpointSlice previous, EndpointSlice current) {
    downstream.onEndpointSliceUpdate(previous, current);
    if (previous != null) {
      SliceInfo.serviceOf(previous).ifPresent(k -> removeSource(k, previous));
    }
    SliceInfo.serviceOf(current).ifPresent(k -> addSource(k, current));
    reconcile();
  }

  @Override
  public synchronized void onEndpointSliceDelete(EndpointSlice slice) {
    downstream.onEndpointSliceDelete(slice);
    SliceInfo.serviceOf(slice).ifPresent(k -> removeSource(k, slice));
    reconcile();
  }

  @Override
  public synchronized void onEndpointSlicesSynced() {
    sourceSlicesSynced = true;
    sourceSyncedAt = clock.instant();
    resync();
  }

  private void addSource(ServiceKey k, EndpointSlice s) {
    sourceSlices.computeIfAbsent(k, x -> new HashSet<>()).add(s.getMetadata().getName());
  }

  private void removeSource(ServiceKey k, EndpointSlice s) {
    Set<String> names = sourceSlices.get(k);
    if (names != null) {
      names.remove(s.getMetadata().getName());
      if (names.isEmpty()) {
        sourceSlices.remove(k);
      }
    }
  }

  /** Looks at the pods again; reports slices synced once the pods are. */
  public synchronized void resync() {
    reconcile();
    if (!reportedSynced && sourceSlicesSynced) {
      boolean waitedLongEnough = !clock.instant().isBefore(sourceSyncedAt.plus(MAX_POD_SYNC_WAIT));
      if (pods.synced() || waitedLongEnough) {
        if (!pods.synced()) {
          log.warn(
              "pods not synced after {} s; programming Services with the endpoints known now",
              MAX_POD_SYNC_WAIT.toSeconds());
        }
        reportedSynced = true;
        downstream.onEndpointSlicesSynced();
      }
    }
  }

  /** Calls {@link #resync()} every {@link #RESYNC_PERIOD} until cancelled. */
  public TaskScheduler.Cancellable resyncPeriodically(TaskScheduler scheduler) {
    return scheduler.repeat(
        RESYNC_PERIOD, RESYNC_PERIOD, this::resync, "building endpoint slices from berth's pods");
  }

  /** The slices berth currently generates (for tests and diagnostics). */
  public synchronized List<EndpointSlice> generatedSlices() {
    return List.copyOf(sent.values());
  }

  private void reconcile() {
    List<Pod> current = pods.pods();
    Set<ServiceKey> keys = new HashSet<>(services.keySet());
    keys.addAll(generated.keySet());
    for (ServiceKey k : keys) {
      Service svc = services.get(k);
      List<EndpointSlice> want =
          svc == null || sourceSlices.containsKey(k)
              ? List.of()
              : PodEndpointSlices.build(svc, current, pods::terminating, nodeName);
      List<EndpointSlice> had = generated.getOrDefault(k, List.of());
      if (!want.equals(had)) {
        apply(had, want);
        if (want.isEmpty()) {
          generated.remove(k);
        } else {
          generated.put(k, want);
        }
      }
    }
  }

  private void apply(List<EndpointSlice> had, List<EndpointSlice> want) {
    String now = clock.instant().toString();
    Map<String, EndpointSlice> wantByName = new TreeMap<>();
    want.forEach(s -> wantByName.put(key(s), s));
    List<String> gone = new ArrayList<>();
    for (EndpointSlice s : had) {
      if (!wantByName.containsKey(key(s))) {
        gone.add(key(s));
      }
    }
    for (String name : gone) {
      EndpointSlice old = sent.remove(name);
      if (old != null) {
        downstream.onEndpointSliceDelete(old);
      }
    }
    Map<String, EndpointSlice> hadByName = new HashMap<>();
    had.forEach(s -> hadByName.put(key(s), s));
    wantByName.forEach(
        (name, s) -> {
          if (s.equals(hadByName.get(name))) {
            return;
          }
          EndpointSlice annotated =
              new EndpointSliceBuilder(s)
                  .editMetadata()
                  .addToAnnotations(SliceInfo.TRIGGER_TIME_ANNOTATION, now)
                  .endMetadata()
                  .build();
          EndpointSlice old = sent.put(name, annotated);
          if (old == null) {
            downstream.onEndpointSliceAdd(annotated);
          } else {
            downstream.onEndpointSliceUpdate(old, annotated);
          }
        });
  }

  private static String key(EndpointSlice s) {
    return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
  }
}
