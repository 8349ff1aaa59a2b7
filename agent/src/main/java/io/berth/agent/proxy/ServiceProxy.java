package io.berth.agent.proxy;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.conntrack.ConntrackCleaner;
import io.berth.netfilter.detect.Detection;
import io.fabric8.kubernetes.api.model.Service;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berth's kube-proxy inside {@code berth run}: picks the data plane, then wires the parts.
 *
 * <pre>
 *   ServiceFileSource ─▶ LocalEndpointSlices ─▶ Proxier ─▶ NftablesBackend (ip/ip6 berth)
 *   (--service-dir)       (slices from pods)       │  └─▶ StaleConntrackCleanup (ctnetlink)
 *                                                  ├─▶ ProxierMetrics ─▶ berth's /metrics
 *                                                  └─▶ ProxyHealth ─▶ ProxyHealthServer :10256
 * </pre>
 *
 * <p>Off when there is no Service source or the mode is {@code none}. {@code auto} uses nftables
 * when libnftables loads and a probe transaction works, and otherwise logs what it found and runs
 * without a proxy; {@code nftables} refuses to start without it. All proxy work (file scans, pod
 * resyncs, syncs) runs on one platform thread, {@code berth-proxier-sync}. Stopping leaves the
 * rules in place (as kube-proxy does); {@code berth cleanup} removes them.
 */
public final class ServiceProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);

  /** How often the Service directory is re-read (only changed files are parsed). */
  public static final Duration SERVICE_DIR_CHECK_FREQUENCY = Duration.ofSeconds(2);

  private final ServiceProxySettings settings;
  private final String nodeName;
  private final Clock clock;
  private final LocalPods pods;
  private final Supplier<DataPlane> dataPlane;
  private NetfilterBackend backend;
  private ConntrackCleaner conntrack;
  private ScheduledExecutorService syncThread;
  private Proxier proxier;
  private LocalEndpointSlices local;
  private ProxyHealthServer healthServer;
  private TaskScheduler.Cancellable scans;
  private TaskScheduler.Cancellable podResyncs;
  private String state = "off";
  private String lastScanProblem; // sync thread only

  public ServiceProxy(ServiceProxySettings settings, String nodeName, Clock clock, LocalPods pods) {
    this(settings, nodeName, clock, pods, DataPlane::host);
  }

  /**
   * @param dataPlane the netfilter parts, asked for only when the proxy is enabled
   */
  public ServiceProxy(
      ServiceProxySettings settings,
      String nodeName,
      Clock clock,
      LocalPods pods,
      Supplier<DataPlane> dataPlane) {
    this.settings = settings;
    this.nodeName = nodeName;
    this.clock = clock;
    this.pods = pods;
    this.dataPlane = dataPlane;
  }

  /**
   * Starts the proxy if configured, binding its meters to {@code registry}.
   *
   * @throws IllegalStateException when {@code --proxy-mode nftables} was asked for and nftables
   *     does not work here, or the health port cannot be bound
   */
  public synchronized void start(MeterRegistry registry) {
    if (settings.serviceDir() == null) {
      log.info("service proxy off: no Service source (--service-dir)");
      return;
    }
    if (settings.mode() == ProxyMode.NONE) {
      log.info("service proxy off: --proxy-mode none");
      state = "off (--proxy-mode none)";
      return;
    }
    DataPlane plane = dataPlane.get();
    if (!nftablesWorks(plane)) {
      return;
    }
    try {
      backend = plane.nftables();
    } catch (NetfilterException e) {
      throw new IllegalStateException("cannot set up the nftables back end: " + e.getMessage(), e);
    }
    try {
      conntrack = plane.conntrack();
    } catch (NetfilterException | RuntimeException e) {
      log.warn(
          "stale UDP conntrack entries will not be deleted: cannot open ctnetlink: {}",
          e.getMessage());
    }
    syncThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-proxier-sync").daemon(true).unstarted(r));
    TaskScheduler scheduler = TaskScheduler.of(syncThread);
    proxier = new Proxier(settings.proxierSettings(nodeName), backend, clock, scheduler);
    if (conntrack != null) {
      proxier.addAppliedListener(new StaleConntrackCleanup(conntrack));
    }
    new ProxierMetrics(proxier).bindTo(registry);
    healthServer = ProxyHealthServer.start(settings.healthzAddress(), proxier.health());
    proxier.start();
    local = new LocalEndpointSlices(proxier, pods, nodeName, clock);
    ServiceFileSource files = new ServiceFileSource(settings.serviceDir(), local);
    scans =
        scheduler.repeat(
            Duration.ZERO,
            SERVICE_DIR_CHECK_FREQUENCY,
            () -> scan(files),
            "scanning " + settings.serviceDir());
    podResyncs = local.resyncPeriodically(scheduler);
    state = backend.describe();
    log.info(
        "service proxy: {}; Services from {}; healthz on http://{}:{}/healthz",
        state,
        settings.serviceDir(),
        healthServer.address().getHostString(),
        healthServer.address().getPort());
  }

  /** One scan; an unreadable directory is logged once per distinct problem, not every 2 s. */
  private void scan(ServiceFileSource files) {
    try {
      files.scan();
      if (lastScanProblem != null) {
        log.info("service directory {} is readable again", settings.serviceDir());
        lastScanProblem = null;
      }
    } catch (IOException e) {
      if (!e.getMessage().equals(lastScanProblem)) {
        log.warn(
            "{}; Services are not programmed until it can be read (retrying every {} s)",
            e.getMessage(),
            SERVICE_DIR_CHECK_FREQUENCY.toSeconds());
        lastScanProblem = e.getMessage();
      }
    }
  }

  /** Detects the data plane; false (proxy off) when {@code auto} finds no nftables. */
  private boolean nftablesWorks(DataPlane plane) {
    Detection d;
    try {
      d = plane.detect();
    } catch (NetfilterException | RuntimeException | LinkageError e) {
      return unavailable("back-end detection failed: " + e.getMessage());
    }
    log.info("service proxy back-end detection:\n{}", d.summary());
    if (d.choose() == Detection.BackendKind.NFTABLES) {
      return true;
    }
    return unavailable("nftables " + d.nftables().reason());
  }

  private boolean unavailable(String why) {
    if (settings.mode() == ProxyMode.NFTABLES) {
      throw new IllegalStateException("--proxy-mode nftables, but " + why);
    }
    log.warn(
        "service proxy off: --proxy-mode auto found no usable data plane ({}); Services from {}"
            + " are not programmed",
        why,
        settings.serviceDir());
    state = "off (" + why + ")";
    return false;
  }

  /** The running proxier, if any. */
  /** The Services of the Service source, empty while the proxy is off. */
  public synchronized List<Service> services() {
    return local == null ? List.of() : local.services();
  }

  public synchronized Optional<Proxier> proxier() {
    return Optional.ofNullable(proxier);
  }

  /** What the proxy runs on, for logs and status: the back end, or why it is off. */
  public synchronized String state() {
    return state;
  }

  @Override
  public synchronized void close() {
    if (scans != null) {
      scans.cancel();
    }
    if (podResyncs != null) {
      podResyncs.cancel();
    }
    if (proxier != null) {
      proxier.close();
    }
    if (healthServer != null) {
      healthServer.close();
    }
    if (syncThread != null) {
      syncThread.shutdownNow();
    }
    if (conntrack != null) {
      conntrack.close();
    }
    if (backend != null) {
      backend.close();
    }
  }
}
