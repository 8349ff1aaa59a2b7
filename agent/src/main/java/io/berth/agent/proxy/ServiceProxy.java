package io.berth.agent.proxy;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.conntrack.ConntrackCleaner;
import io.berth.netfilter.detect.Detection;
import io.berth.netfilter.detect.IptablesMode;
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
 *   ProxyConfigSource ─▶ ServiceIndex ─▶ Proxier ─▶ ...   (--kubeconfig: the API's Services and
 *   (informers)          (Services for env vars)           EndpointSlices, no slices from pods)
 * </pre>
 *
 * <p>Off when there is no Service source or the mode is {@code none}. {@code auto} uses nftables
 * when libnftables loads and a probe transaction works, else iptables (the detected flavour's
 * restore tools) when they work, and otherwise logs what it found and runs without a proxy; {@code
 * nftables} and {@code iptables} refuse to start without their back end. All proxy work (file
 * scans, pod resyncs, syncs) runs on one platform thread, {@code berth-proxier-sync}. Stopping
 * leaves the rules in place (as kube-proxy does); {@code berth cleanup} removes them.
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
  private ServiceIndex index;
  private IptablesMode.Flavour iptablesFlavour = IptablesMode.Flavour.NFT;
  private AutoCloseable apiSource;
  private ProxyHealthServer healthServer;
  private ServiceHealthServers serviceHealth;
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

  /** Starts the proxy with no API source ({@code --service-dir} only). */
  public synchronized void start(MeterRegistry registry) {
    start(registry, Optional.empty());
  }

  /**
   * Starts the proxy if configured, binding its meters to {@code registry}.
   *
   * @param api the API server's Services and EndpointSlices ({@code --kubeconfig}); they are read
   *     even with the proxy off, for the Service environment variables of new containers
   * @throws IllegalStateException when {@code --proxy-mode nftables} was asked for and nftables
   *     does not work here, the health port cannot be bound, or both {@code --service-dir} and an
   *     API source are given
   */
  public synchronized void start(MeterRegistry registry, Optional<ServiceSource> api) {
    if (api.isPresent() && settings.serviceDir() != null) {
      throw new IllegalStateException(
          "--service-dir "
              + settings.serviceDir()
              + " and --kubeconfig both name a Service"
              + " source; give one (with --kubeconfig Services come from the API server)");
    }
    if (api.isEmpty() && settings.serviceDir() == null) {
      log.info("service proxy off: no Service source (--service-dir or --kubeconfig)");
      return;
    }
    String source = api.isPresent() ? "the API server" : settings.serviceDir().toString();
    if (settings.mode() == ProxyMode.NONE) {
      log.info("service proxy off: --proxy-mode none");
      state = "off (--proxy-mode none)";
      api.ifPresent(this::servicesOnly);
      return;
    }
    DataPlane plane = dataPlane.get();
    Detection.BackendKind kind = chooseBackend(plane, source);
    if (kind == Detection.BackendKind.NONE) {
      api.ifPresent(this::servicesOnly);
      return;
    }
    try {
      backend =
          kind == Detection.BackendKind.NFTABLES
              ? plane.nftables()
              : plane.iptables(iptablesFlavour);
    } catch (NetfilterException e) {
      throw new IllegalStateException(
          "cannot set up the " + kind + " back end: " + e.getMessage(), e);
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
    new ProxierMetrics(proxier, kind == Detection.BackendKind.IPTABLES).bindTo(registry);
    healthServer = ProxyHealthServer.start(settings.healthzAddress(), proxier.health());
    Proxier p = proxier;
    serviceHealth =
        new ServiceHealthServers(
            localAddressesIn(settings.nodePortAddresses()),
            () -> p.health().status().healthy(),
            ServiceHealthServers.netty());
    proxier.addAppliedListener(
        (previous, current, mode) ->
            serviceHealth.sync(p.healthCheckNodePorts(), Proxier.localReadyEndpoints(current)));
    proxier.start();
    if (api.isPresent()) {
      // kube-proxy's way: every endpoint comes from the API's EndpointSlices (the endpointslice
      // controller's); berth makes none from its own pods here
      index = new ServiceIndex(proxier);
      apiSource = api.get().start(index, true);
    } else {
      local = new LocalEndpointSlices(proxier, pods, nodeName, clock);
      ServiceFileSource files = new ServiceFileSource(settings.serviceDir(), local);
      scans =
          scheduler.repeat(
              Duration.ZERO,
              SERVICE_DIR_CHECK_FREQUENCY,
              () -> scan(files),
              "scanning " + settings.serviceDir());
      podResyncs = local.resyncPeriodically(scheduler);
    }
    state = backend.describe();
    log.info(
        "service proxy: {}; Services from {}; healthz on http://{}:{}/healthz",
        state,
        source,
        healthServer.address().getHostString(),
        healthServer.address().getPort());
  }

  /**
   * This host's addresses inside {@code cidrs} (kube-proxy binds health check node ports on the
   * node-port addresses); empty (the wildcard) when no CIDR is given.
   */
  static List<java.net.InetAddress> localAddressesIn(List<io.berth.netfilter.model.Cidr> cidrs) {
    if (cidrs.isEmpty()) {
      return List.of();
    }
    List<java.net.InetAddress> out = new java.util.ArrayList<>();
    try {
      for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
        for (var a : java.util.Collections.list(nic.getInetAddresses())) {
          if (cidrs.stream().anyMatch(c -> c.contains(a))) {
            out.add(a);
          }
        }
      }
    } catch (java.net.SocketException e) {
      log.warn("cannot list this host's addresses for health check node ports: {}", e.toString());
    }
    return out;
  }

  /** The proxy is off: the API's Services are still indexed for the environment variables. */
  private void servicesOnly(ServiceSource api) {
    index = new ServiceIndex(ServiceIndex.NOWHERE);
    apiSource = api.start(index, false);
    log.info("Services from the API server for container environment variables only");
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

  /**
   * Detects the data plane and picks the back end for the mode: {@code auto} takes nftables, else
   * iptables, else none (with a warning), never IPVS; {@code nftables} and {@code iptables} insist;
   * {@code ipvs} refuses with the reason (no ip_vs here, or berth's IPVS back end incomplete).
   */
  private Detection.BackendKind chooseBackend(DataPlane plane, String source) {
    Detection d;
    try {
      d = plane.detect();
    } catch (NetfilterException | RuntimeException | LinkageError e) {
      return unavailable("back-end detection failed: " + e.getMessage(), source);
    }
    log.info("service proxy back-end detection:\n{}", d.summary());
    iptablesFlavour = d.iptables().flavour();
    return switch (settings.mode()) {
      case NFTABLES ->
          d.nftables().available()
              ? Detection.BackendKind.NFTABLES
              : unavailable("nftables " + d.nftables().reason(), source);
      case IPTABLES -> {
        var tools =
            d.iptablesTools().available()
                ? d.iptablesTools()
                : plane.iptablesTools(iptablesFlavour);
        yield tools.available()
            ? Detection.BackendKind.IPTABLES
            : unavailable("iptables " + tools.reason(), source);
      }
      case IPVS ->
          unavailable(
              d.ipvs().available()
                  ? "IPVS is present ("
                      + d.ipvs().reason()
                      + ") but berth's IPVS back end is incomplete (netlink encoding and diffing"
                      + " only; no kube-ipvs0 VIP binding, no ipset/iptables rules): use"
                      + " --proxy-mode nftables or iptables"
                  : d.ipvs().reason(),
              source);
      default ->
          d.choose() != Detection.BackendKind.NONE
              ? d.choose()
              : unavailable(
                  "nftables " + d.nftables().reason() + "; iptables " + d.iptablesTools().reason(),
                  source);
    };
  }

  private Detection.BackendKind unavailable(String why, String source) {
    if (settings.mode() != ProxyMode.AUTO) {
      throw new IllegalStateException("--proxy-mode " + settings.mode().flag() + ", but " + why);
    }
    log.warn(
        "service proxy off: --proxy-mode auto found no usable data plane ({}); Services from {}"
            + " are not programmed",
        why,
        source);
    state = "off (" + why + ")";
    return Detection.BackendKind.NONE;
  }

  /**
   * The Services of the Service source: the API server's (also with the proxy off), or the files'
   * while the proxy runs; else empty.
   */
  public synchronized List<Service> services() {
    if (index != null) {
      return index.services();
    }
    return local == null ? List.of() : local.services();
  }

  /** The running proxier, if any. */
  public synchronized Optional<Proxier> proxier() {
    return Optional.ofNullable(proxier);
  }

  /** What the proxy runs on, for logs and status: the back end, or why it is off. */
  public synchronized String state() {
    return state;
  }

  @Override
  public synchronized void close() {
    if (apiSource != null) {
      try {
        apiSource.close();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        log.warn("stopping the API Service source: {}", e.toString());
      }
    }
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
    if (serviceHealth != null) {
      serviceHealth.close();
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
