package io.berth.agent.proxy;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.model.Endpoint;
import io.berth.netfilter.model.IpFamily;
import io.berth.netfilter.model.ServiceModel;
import io.berth.netfilter.model.ServicePort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berth's kube-proxy: change trackers → bounded-frequency runner → one netfilter transaction per
 * sync (kube-proxy's {@code nftables.Proxier}, {@code syncProxyRules}).
 *
 * <p>Each sync checks out the trackers' changes, applies them to the proxier's Service and endpoint
 * maps, builds the complete {@link ServiceModel} and hands it to the back end, which applies only
 * the difference ({@link SyncMode#INCREMENTAL}). A sync is {@link SyncMode#FULL} (rewriting berth's
 * tables, repairing drift) when it is the first, after a failure, or when {@link
 * ProxierSettings#fullSyncPeriod()} has passed since the last full one. A failed sync logs the
 * offending services and retries with an exponential back-off (from {@code retryInitial} up to
 * {@code syncPeriod}).
 *
 * <p>Thread safety: event handlers may be called from any thread; syncs run on the runner's
 * scheduler thread; {@link #stats()} and {@link #health()} from any thread.
 */
public final class Proxier implements ProxyEventHandler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Proxier.class);
  private final ProxierSettings settings;
  private final NetfilterBackend backend;
  private final Clock clock;
  private final ServiceChangeTracker serviceChanges;
  private final EndpointsChangeTracker endpointChanges;
  private final BoundedFrequencyRunner runner;
  private final ProxyHealth health;
  private final AtomicLong serviceChangeEvents = new AtomicLong();
  private final AtomicLong endpointChangeEvents = new AtomicLong();
  private volatile boolean servicesSynced;
  private volatile boolean endpointSlicesSynced;
  private volatile String nodeZone = "";

  // sync thread only (and under this for stats)
  private final Map<ServiceKey, ServiceInfo> serviceMap = new TreeMap<>();
  private final Map<ServiceKey, ServiceEndpoints> endpointsMap = new HashMap<>();
  private final List<Instant> pendingTriggerTimes = new ArrayList<>();
  private boolean needFullSync = true;
  private List<String> lastConflicts = List.of();
  private Duration backoff;
  private ProxierStats stats = ProxierStats.INITIAL;
  private final List<Consumer<ProxierStats>> syncListeners = new CopyOnWriteArrayList<>();
  private final List<AppliedListener> appliedListeners = new CopyOnWriteArrayList<>();
  private ServiceModel lastApplied; // sync thread only; null before the first successful sync

  /** Told after each successful sync what the data plane held before it and holds now. */
  @FunctionalInterface
  public interface AppliedListener {
    /**
     * @param previous the model of the last successful sync (empty before the first)
     * @param current the model now in force
     * @param mode how it was applied
     */
    void applied(ServiceModel previous, ServiceModel current, SyncMode mode);
  }

  public Proxier(
      ProxierSettings settings, NetfilterBackend backend, Clock clock, TaskScheduler scheduler) {
    this.settings = settings;
    this.backend = backend;
    this.clock = clock;
    this.serviceChanges = new ServiceChangeTracker(new ServiceConverter(settings.proxyName()));
    this.endpointChanges = new EndpointsChangeTracker(settings.nodeName(), clock);
    this.health = new ProxyHealth(clock, settings.healthTimeout());
    this.backoff = settings.retryInitial();
    this.runner =
        new BoundedFrequencyRunner(
            "berth-proxier-sync",
            this::syncProxyRules,
            settings.minSyncPeriod(),
            settings.syncPeriod(),
            settings.burstSyncs(),
            clock,
            scheduler);
  }

  /** Starts the runner; nothing is programmed until both sources report synced. */
  public void start() {
    runner.start();
  }

  @Override
  public void close() {
    runner.stop();
  }

  public ProxyHealth health() {
    return health;
  }

  public synchronized ProxierStats stats() {
    return stats;
  }

  /**
   * Calls {@code listener} with the new stats after every sync attempt that reached the data plane
   * (on the sync thread; keep it short). For metrics that record events, e.g. latencies.
   */
  public void addSyncListener(Consumer<ProxierStats> listener) {
    syncListeners.add(listener);
  }

  /**
   * Calls {@code listener} on the sync thread after every successful sync, before the next one
   * starts (kube-proxy deletes stale conntrack entries at that point).
   */
  public void addAppliedListener(AppliedListener listener) {
    appliedListeners.add(listener);
  }

  private void notifyApplied(ServiceModel current, SyncMode mode) {
    ServiceModel previous =
        lastApplied != null ? lastApplied : ServiceModel.of(current.config(), List.of());
    lastApplied = current;
    for (AppliedListener l : appliedListeners) {
      try {
        l.applied(previous, current, mode);
      } catch (RuntimeException e) {
        log.error("after-sync step {} failed", l, e);
      }
    }
  }

  private void notifyListeners(ProxierStats s) {
    for (Consumer<ProxierStats> l : syncListeners) {
      try {
        l.accept(s);
      } catch (RuntimeException e) {
        log.error("sync listener {} failed", l, e);
      }
    }
  }

  private boolean initialized() {
    return servicesSynced && endpointSlicesSynced;
  }

  private void changed(boolean pending) {
    if (pending && initialized()) {
      health.queuedUpdate();
      runner.run();
    }
  }

  /** Service events received (kube-proxy's {@code sync_proxy_rules_service_changes_total}). */
  public long serviceChangeEvents() {
    return serviceChangeEvents.get();
  }

  /** EndpointSlice events received ({@code sync_proxy_rules_endpoint_changes_total}). */
  public long endpointChangeEvents() {
    return endpointChangeEvents.get();
  }

  /** The label kube-proxy reads this node's zone from. */
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  /** A changed zone label changes which endpoints topology hints leave: a (full) sync follows. */
  @Override
  public void onNodeLabels(Map<String, String> labels) {
    String zone = labels == null ? "" : labels.getOrDefault(ZONE_LABEL, "");
    boolean changed;
    synchronized (this) {
      changed = !zone.equals(nodeZone);
      if (changed) {
        log.info("node zone {} → {}: topology hints are matched against it", nodeZone, zone);
        nodeZone = zone;
        needFullSync = true;
      }
    }
    changed(changed);
  }

  @Override
  public void onServiceAdd(Service service) {
    serviceChangeEvents.incrementAndGet();
    changed(serviceChanges.update(null, service));
  }

  @Override
  public void onServiceUpdate(Service previous, Service current) {
    serviceChangeEvents.incrementAndGet();
    changed(serviceChanges.update(previous, current));
  }

  @Override
  public void onServiceDelete(Service service) {
    serviceChangeEvents.incrementAndGet();
    changed(serviceChanges.update(service, null));
  }

  @Override
  public void onServicesSynced() {
    servicesSynced = true;
    syncedOnce();
  }

  @Override
  public void onEndpointSliceAdd(EndpointSlice slice) {
    endpointChangeEvents.incrementAndGet();
    changed(endpointChanges.update(slice, false));
  }

  @Override
  public void onEndpointSliceUpdate(EndpointSlice previous, EndpointSlice current) {
    endpointChangeEvents.incrementAndGet();
    if (previous != null && !SliceInfo.serviceOf(previous).equals(SliceInfo.serviceOf(current))) {
      // the slice moved to another Service (label edited): it no longer feeds the old one
      endpointChanges.update(previous, true);
    }
    changed(endpointChanges.update(current, false));
  }

  @Override
  public void onEndpointSliceDelete(EndpointSlice slice) {
    endpointChangeEvents.incrementAndGet();
    changed(endpointChanges.update(slice, true));
  }

  @Override
  public void onEndpointSlicesSynced() {
    endpointSlicesSynced = true;
    syncedOnce();
  }

  private void syncedOnce() {
    if (initialized()) {
      health.queuedUpdate();
      runner.run();
    }
  }

  /** One sync; called by the runner only. */
  void syncProxyRules() {
    if (!initialized()) {
      log.debug("not syncing: sources have not delivered their initial state yet");
      return;
    }
    Instant start = clock.instant();
    Map<ServiceKey, Change<ServiceInfo>> svcs = serviceChanges.checkout();
    EndpointsChangeTracker.Checkout eps = endpointChanges.checkout();
    SyncMode mode;
    synchronized (this) {
      svcs.forEach((k, c) -> put(serviceMap, k, c.current()));
      eps.changes().forEach((k, c) -> put(endpointsMap, k, c.current()));
      eps.triggerTimes().values().forEach(pendingTriggerTimes::addAll);
      boolean periodicFull =
          stats
              .lastFullSync()
              .map(t -> !start.isBefore(t.plus(settings.fullSyncPeriod())))
              .orElse(true);
      mode = needFullSync || periodicFull ? SyncMode.FULL : SyncMode.INCREMENTAL;
      if (mode == SyncMode.INCREMENTAL && svcs.isEmpty() && eps.changes().isEmpty()) {
        health.updated(); // nothing changed: the data plane is what it was (kube-proxy: same)
        return;
      }
    }
    try {
      ServiceModel model = buildModel();
      SyncResult r = backend.sync(model, mode);
      succeeded(start, model, r);
      notifyApplied(model, r.mode());
    } catch (TransactionFailedException e) {
      failed(start, mode, e, "services " + e.offendingServices());
    } catch (NetfilterException | RuntimeException e) {
      failed(start, mode, e, "no offending service reported");
    }
    notifyListeners(stats());
  }

  private static <T> void put(Map<ServiceKey, T> map, ServiceKey k, Optional<T> v) {
    v.ifPresentOrElse(x -> map.put(k, x), () -> map.remove(k));
  }

  /** The health check node port of each Service that has one (as of the last sync). */
  public synchronized Map<ServiceKey, Integer> healthCheckNodePorts() {
    Map<ServiceKey, Integer> out = new TreeMap<>();
    serviceMap.forEach(
        (k, svc) -> {
          if (svc.healthCheckNodePort() != 0) {
            out.put(k, svc.healthCheckNodePort());
          }
        });
    return out;
  }

  /** Ready endpoints on this node per Service in {@code model} (distinct addresses). */
  public static Map<ServiceKey, Integer> localReadyEndpoints(ServiceModel model) {
    Map<ServiceKey, java.util.Set<java.net.InetAddress>> seen = new HashMap<>();
    for (ServicePort p : model.ports()) {
      ServiceKey k = new ServiceKey(p.name().namespace(), p.name().name());
      for (Endpoint e : p.endpoints()) {
        if (e.local() && e.ready()) {
          seen.computeIfAbsent(k, x -> new java.util.HashSet<>()).add(e.address());
        }
      }
    }
    Map<ServiceKey, Integer> out = new HashMap<>();
    seen.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  /** The complete desired state: each service port with the endpoints of its slice port. */
  synchronized ServiceModel buildModel() {
    List<ServicePort> ports = new ArrayList<>();
    for (ServiceInfo svc : serviceMap.values()) {
      ServiceEndpoints all = endpointsMap.getOrDefault(svc.key(), ServiceEndpoints.EMPTY);
      for (ServicePort p : svc.ports()) {
        IpFamily family = p.family();
        List<Endpoint> eps =
            all.get(p.name().port(), p.protocol()).stream()
                .filter(e -> IpFamily.of(e.address()) == family)
                .toList();
        ports.add(p.withEndpoints(eps));
      }
    }
    FrontendClaims.Resolution r = FrontendClaims.resolve(ports);
    if (!r.conflicts().equals(lastConflicts)) {
      r.conflicts().forEach(c -> log.warn("conflicting service frontend: {}", c));
      lastConflicts = r.conflicts();
    }
    return ServiceModel.of(settings.proxyConfig().withNodeZone(nodeZone), r.ports());
  }

  private synchronized void succeeded(Instant start, ServiceModel model, SyncResult r) {
    Instant end = clock.instant();
    List<Duration> latencies =
        pendingTriggerTimes.stream().map(t -> Duration.between(t, end)).sorted().toList();
    pendingTriggerTimes.clear();
    needFullSync = false;
    backoff = settings.retryInitial();
    health.updated();
    boolean full = r.mode() == SyncMode.FULL;
    stats =
        new ProxierStats(
            stats.syncs() + 1,
            stats.failedSyncs(),
            stats.fullSyncs() + (full ? 1 : 0),
            Optional.of(r.mode()),
            Duration.between(start, end),
            Optional.of(end),
            full ? Optional.of(end) : stats.lastFullSync(),
            serviceMap.size(),
            model.ports().size(),
            model.ports().stream().mapToInt(p -> p.endpoints().size()).sum(),
            r.commandLines(),
            latencies,
            Optional.empty());
    log.debug(
        "{} sync of {} service ports: {} nft lines, render {} ms, apply {} ms",
        r.mode(),
        model.ports().size(),
        r.commandLines(),
        r.render().toMillis(),
        r.apply().toMillis());
  }

  private synchronized void failed(Instant start, SyncMode mode, Exception e, String offending) {
    Instant end = clock.instant();
    Duration retry = backoff;
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(settings.syncPeriod()) > 0 ? settings.syncPeriod() : doubled;
    needFullSync = true; // the back end forgot its state; kube-proxy does the same
    log.error(
        "{} sync failed ({}), retrying as a full sync in {} ms: {}",
        mode,
        offending,
        retry.toMillis(),
        e.getMessage(),
        e);
    stats =
        new ProxierStats(
            stats.syncs() + 1,
            stats.failedSyncs() + 1,
            stats.fullSyncs(),
            Optional.of(mode),
            Duration.between(start, end),
            stats.lastSuccessfulSync(),
            stats.lastFullSync(),
            stats.services(),
            stats.servicePorts(),
            stats.endpoints(),
            stats.lastCommandLines(),
            stats.networkProgrammingLatencies(),
            Optional.of(mode + " sync failed (" + offending + "): " + e.getMessage()));
    runner.retryAfter(retry);
  }
}
