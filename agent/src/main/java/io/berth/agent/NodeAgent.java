package io.berth.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.config.FileSource;
import io.berth.agent.config.ManifestDecoder;
import io.berth.agent.config.ManifestReader;
import io.berth.agent.config.PodConfig;
import io.berth.agent.config.PodUpdate;
import io.berth.agent.config.StaticPodDefaults;
import io.berth.agent.config.UrlSource;
import io.berth.agent.http.HttpApiServer;
import io.berth.agent.http.HttpLimits;
import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import io.berth.agent.kuberuntime.CgroupNames;
import io.berth.agent.kuberuntime.ComputePodActions;
import io.berth.agent.kuberuntime.ConfigSource;
import io.berth.agent.kuberuntime.ContainerConfigs;
import io.berth.agent.kuberuntime.CrashLoopBackoff;
import io.berth.agent.kuberuntime.ImagePulls;
import io.berth.agent.kuberuntime.NodeContext;
import io.berth.agent.kuberuntime.RuntimeSettings;
import io.berth.agent.kuberuntime.SandboxConfigs;
import io.berth.agent.kuberuntime.SpecHash;
import io.berth.agent.nodeconfig.KubeProxyConfig;
import io.berth.agent.nodeconfig.KubeletConfig;
import io.berth.agent.pod.HostFacts;
import io.berth.agent.pod.PodDispatcher;
import io.berth.agent.pod.PodLifecycleEvent;
import io.berth.agent.pod.PodLifecycleEventGenerator;
import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodWorkers;
import io.berth.agent.pod.RuntimePodSyncer;
import io.berth.agent.stats.NodeMetricsEndpoints;
import io.berth.agent.stats.RuntimeOperationMetrics;
import io.berth.agent.stats.RuntimePodInventory;
import io.berth.agent.systemd.Heartbeat;
import io.berth.agent.systemd.SdNotifier;
import io.berth.agent.systemd.WatchdogKeeper;
import io.berth.cri.CriRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds berth's parts with constructor injection and owns their lifecycle.
 *
 * <pre>
 *   RuntimeConnection ──(connected)──▶ READY=1 to systemd
 *        │ runtime()
 *        ▼
 *   RuntimePodInventory ─▶ NodeMetricsEndpoints ─┐
 *   PrometheusMeterRegistry (berth's own) ───────┼─▶ HttpRoutes ─▶ HttpApiServer
 *   SyncLoop ─beats─▶ Heartbeat ─▶ /healthz ─────┘
 *                          └──────▶ WatchdogKeeper ─▶ WATCHDOG=1
 *
 *   FileSource ─▶ PodConfig ─(feeder)─▶ SyncLoop ─▶ PodDispatcher ─▶ PodWorkers ─▶ RuntimePodSyncer
 *   PodLifecycleEventGenerator (relist 1 s) ─────────▲                    PodStatusView ─▶ /pods
 * </pre>
 *
 * <p>What is not here yet (the API server source, probes, the proxier, node registration) plugs
 * into the sync loop and this root as the issues land.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  /** Connect and whole-request timeout for the manifest URL. */
  static final Duration MANIFEST_URL_TIMEOUT = Duration.ofSeconds(10);

  /** The kubelet's PLEG relist period. */
  static final Duration PLEG_PERIOD = Duration.ofSeconds(1);

  /**
   * What berth runs with; the config file and flags are parsed into this.
   *
   * @param podManifestPath the static pod manifest directory ({@code --pod-manifest-path}); null
   *     for none
   * @param cgroupRoot the pods' cgroup root ({@code --cgroup-root}, cgroupfs syntax), {@code
   *     /kubepods} by default
   * @param podLogsDir where pod log directories go ({@code --pod-logs-dir}), {@code /var/log/pods}
   *     by default
   * @param manifestUrl a URL returning a Pod or PodList, polled every 20 s ({@code
   *     --manifest-url}); null for none
   * @param tuning the config file's further kubelet and proxy fields; null for their defaults
   */
  public record Settings(
      String runtimeEndpoint,
      InetSocketAddress httpAddress,
      String nodeName,
      Path rootDir,
      Duration housekeepingPeriod,
      Path podManifestPath,
      String cgroupRoot,
      Path podLogsDir,
      URI manifestUrl,
      Tuning tuning) {
    public Settings {
      cgroupRoot = cgroupRoot == null ? CgroupNames.DEFAULT_ROOT : cgroupRoot;
      podLogsDir = podLogsDir == null ? Path.of(RuntimeSettings.DEFAULT_POD_LOGS_ROOT) : podLogsDir;
      tuning = tuning == null ? Tuning.defaults() : tuning;
    }

    /** Every setting but the tuning, which keeps its defaults. */
    public Settings(
        String runtimeEndpoint,
        InetSocketAddress httpAddress,
        String nodeName,
        Path rootDir,
        Duration housekeepingPeriod,
        Path podManifestPath,
        String cgroupRoot,
        Path podLogsDir,
        URI manifestUrl) {
      this(
          runtimeEndpoint,
          httpAddress,
          nodeName,
          rootDir,
          housekeepingPeriod,
          podManifestPath,
          cgroupRoot,
          podLogsDir,
          manifestUrl,
          null);
    }

    /** No static pods, default cgroup root and log directory. */
    public Settings(
        String runtimeEndpoint,
        InetSocketAddress httpAddress,
        String nodeName,
        Path rootDir,
        Duration housekeepingPeriod) {
      this(runtimeEndpoint, httpAddress, nodeName, rootDir, housekeepingPeriod, null, null, null);
    }

    /** Static pods from a directory only. */
    public Settings(
        String runtimeEndpoint,
        InetSocketAddress httpAddress,
        String nodeName,
        Path rootDir,
        Duration housekeepingPeriod,
        Path podManifestPath,
        String cgroupRoot,
        Path podLogsDir) {
      this(
          runtimeEndpoint,
          httpAddress,
          nodeName,
          rootDir,
          housekeepingPeriod,
          podManifestPath,
          cgroupRoot,
          podLogsDir,
          null);
    }
  }

  /**
   * The config file's fields beyond the basic settings (see {@code io.berth.agent.nodeconfig}).
   *
   * @param fileCheckFrequency rescan period of the manifest directory ({@code fileCheckFrequency})
   * @param httpCheckFrequency poll period of the manifest URL ({@code httpCheckFrequency})
   * @param clusterDns DNS servers for ClusterFirst pods ({@code clusterDNS}); empty: host DNS
   * @param clusterDomain the cluster domain ({@code clusterDomain}); empty for none
   * @param resolvConf the host resolver file pods inherit from ({@code resolvConf})
   * @param proxy the KubeProxyConfiguration part, for the proxier
   */
  public record Tuning(
      Duration fileCheckFrequency,
      Duration httpCheckFrequency,
      List<String> clusterDns,
      String clusterDomain,
      Path resolvConf,
      KubeProxyConfig proxy) {
    public Tuning {
      clusterDns = List.copyOf(clusterDns);
    }

    /** The kubelet's and kube-proxy's defaults. */
    public static Tuning defaults() {
      KubeletConfig k = KubeletConfig.defaults();
      return new Tuning(
          k.fileCheckFrequency(),
          k.httpCheckFrequency(),
          k.clusterDNS(),
          k.clusterDomain(),
          k.resolvConf(),
          KubeProxyConfig.defaults());
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final Map<String, String> env;
  private final Heartbeat heartbeat;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RuntimeConnection runtime;
  private final SyncLoop syncLoop;
  private final ObjectMapper json = new ObjectMapper();
  private final ManifestDecoder decoder = new ManifestDecoder();
  private final PodConfig podConfig;
  private final PodStatusView podStatuses;
  private final PodWorkers podWorkers;
  private final SpecHash hash = new SpecHash();
  private final CrashLoopBackoff crashLoop;
  private final ImagePulls imagePulls;
  private final PodLifecycleEventGenerator pleg;
  private FileSource manifests;
  private UrlSource manifestUrl;
  private Thread podConfigFeeder;
  private ScheduledExecutorService plegTimer;
  private SdNotifier systemd = SdNotifier.Disabled.INSTANCE;
  private WatchdogKeeper watchdog;
  private ScheduledExecutorService timers;
  private volatile HttpApiServer http;
  private final java.util.concurrent.CountDownLatch serving =
      new java.util.concurrent.CountDownLatch(1);

  public NodeAgent(Settings settings, Clock clock, Map<String, String> env) {
    this.settings = settings;
    this.clock = clock;
    this.env = env;
    this.heartbeat = new Heartbeat(clock);
    this.runtime =
        new RuntimeConnection(settings.runtimeEndpoint(), new RuntimeOperationMetrics(registry));
    this.syncLoop = new SyncLoop(heartbeat, settings.housekeepingPeriod());
    this.podConfig = new PodConfig(clock, decoder);
    this.podStatuses = new PodStatusView(clock, json, podConfig::rejectedManifests);
    this.crashLoop = new CrashLoopBackoff(clock, hash);
    this.imagePulls = new ImagePulls(clock);
    this.podWorkers = new PodWorkers(new RuntimePodSyncer(podSyncerParts()), clock);
    this.pleg =
        new PodLifecycleEventGenerator(
            runtime::runtime, e -> syncLoop.offer(new SyncLoop.PlegEvent(e)), clock);
  }

  private RuntimePodSyncer.Parts podSyncerParts() {
    NodeContext node = HostFacts.nodeContext(settings.nodeName());
    RuntimeSettings runtimeSettings =
        new RuntimeSettings(
            settings.podLogsDir().toString(),
            new CgroupNames(settings.cgroupRoot()),
            settings.tuning().clusterDns(),
            settings.tuning().clusterDomain(),
            HostFacts.resolvConf(settings.tuning().resolvConf()));
    return new RuntimePodSyncer.Parts(
        runtime::runtime,
        runtime::images,
        new SandboxConfigs(runtimeSettings),
        new ContainerConfigs(node, ConfigSource.NONE, hash, json),
        new ComputePodActions(hash),
        crashLoop,
        imagePulls,
        podStatuses,
        node.hostIps());
  }

  /**
   * Pods: sources → PodConfig → (feeder thread) → sync loop → PodDispatcher → PodWorkers; PLEG
   * relists every second into the loop. Orphans are removed only when a source is configured.
   */
  private void startPods() {
    boolean hasSources = settings.podManifestPath() != null || settings.manifestUrl() != null;
    PodDispatcher dispatcher =
        new PodDispatcher(
            podWorkers,
            pleg::runtimePods,
            () ->
                podConfig.mergedState().stream()
                    .map(p -> p.getMetadata().getUid())
                    .collect(Collectors.toSet()),
            hasSources ? podConfig::allSourcesReady : () -> false);
    syncLoop.onPodEvents(
        new SyncLoop.PodEventHandler() {
          @Override
          public void podConfigChanged(PodUpdate update) {
            dispatcher.podUpdate(update);
          }

          @Override
          public void podLifecycleEvent(PodLifecycleEvent event) {
            dispatcher.lifecycleEvent(event);
          }
        });
    syncLoop.onHousekeeping(dispatcher::housekeep);
    syncLoop.onHousekeeping(crashLoop::gc);
    syncLoop.onHousekeeping(imagePulls::gc);
    podConfigFeeder =
        Thread.ofVirtual()
            .name("berth-pod-config")
            .start(
                () -> {
                  try {
                    while (true) {
                      syncLoop.offer(new SyncLoop.PodConfigUpdate(podConfig.take()));
                    }
                  } catch (InterruptedException e) {
                    // berth stops
                  }
                });
    ManifestReader reader =
        new ManifestReader(decoder, new StaticPodDefaults(settings.nodeName(), decoder));
    if (settings.podManifestPath() != null) {
      manifests = new FileSource(settings.podManifestPath(), reader, podConfig, clock);
      manifests.start(settings.tuning().fileCheckFrequency());
      log.info("static pods from {}", settings.podManifestPath());
    }
    if (settings.manifestUrl() != null) {
      manifestUrl =
          new UrlSource(
              settings.manifestUrl(),
              Map.of(),
              HttpClient.newBuilder().connectTimeout(MANIFEST_URL_TIMEOUT).build(),
              MANIFEST_URL_TIMEOUT,
              settings.tuning().httpCheckFrequency(),
              reader,
              podConfig,
              clock);
      manifestUrl.start();
      log.info(
          "static pods from {} every {}",
          settings.manifestUrl(),
          settings.tuning().httpCheckFrequency());
    }
    plegTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-pleg").daemon(true).unstarted(r));
    pleg.start(plegTimer, PLEG_PERIOD);
  }

  /** Starts serving; returns once the HTTP API listens. The runtime may come later. */
  public synchronized void start() throws IOException {
    systemd = SdNotifier.fromEnvironment(env);
    // Connecting (~0.4 s: gRPC and Netty epoll start-up) overlaps the rest of start-up; READY=1
    // waits for both (see runtimeConnected).
    systemd.status("connecting to the container runtime at " + settings.runtimeEndpoint());
    runtime.connectInBackground(this::runtimeConnected);
    try {
      startServing();
    } finally {
      serving.countDown();
    }
  }

  private void startServing() throws IOException {
    bindOwnMetrics();
    HttpRoutes routes =
        new HttpRoutes()
            .get("/healthz", r -> healthz())
            .get("/pods", r -> podStatuses.podsReply())
            .get("/pods/rejected", r -> podStatuses.rejectedReply());
    NodeMetricsEndpoints.forHost(
            new RuntimePodInventory(runtime::runtime),
            registry,
            settings.nodeName(),
            settings.rootDir(),
            clock)
        .register(routes);
    http = HttpApiServer.start(settings.httpAddress(), routes, HttpLimits.defaults());
    log.info("serving {} on http://{}", routes.paths(), hostPort(http.address()));
    startPods();
    syncLoop.start();
    timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-timers").daemon(true).unstarted(r));
    WatchdogKeeper.intervalFromEnvironment(env, ProcessHandle.current().pid())
        .ifPresent(
            interval -> {
              watchdog = new WatchdogKeeper(systemd, heartbeat, interval);
              watchdog.start(timers);
              log.info("systemd watchdog: pinging every {}", watchdog.pingPeriod());
            });
  }

  private void runtimeConnected(CriRuntime cri) {
    try {
      serving.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (http == null) {
      return; // start-up failed; berth is exiting
    }
    var v = cri.version();
    systemd.ready(
        "runtime "
            + v.runtimeName()
            + " "
            + v.runtimeVersion()
            + " connected; serving on "
            + hostPort(http.address()));
  }

  /** Healthy while the sync loop beats: within three housekeeping periods. */
  private HttpReply healthz() {
    Duration maxAge = settings.housekeepingPeriod().multipliedBy(3);
    if (heartbeat.freshWithin(maxAge)) {
      return HttpReply.text(200, "ok");
    }
    return HttpReply.text(500, "sync loop stalled: last beat " + heartbeat.last() + "\n");
  }

  private void bindOwnMetrics() {
    // Keep /metrics clean under promtool's lint: Micrometer's process.cpu.time (nanoseconds in
    // the name) duplicates process_cpu_usage; system.cpu.count would end in _count, which
    // Prometheus reserves for histograms and summaries.
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count")
                    ? id.withName("system.cpu.cores")
                    : id;
              }
            });
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("berth_runtime_connected", runtime, r -> r.isConnected() ? 1 : 0)
        .description("1 when berth is connected to its container runtime")
        .register(registry);
    Gauge.builder(
            "berth_sync_loop_last_beat_seconds", heartbeat, h -> h.last().toEpochMilli() / 1000.0)
        .description("Unix time of the sync loop's last iteration")
        .register(registry);
  }

  public InetSocketAddress httpAddress() {
    return http.address();
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  @Override
  public synchronized void close() {
    systemd.stopping("berth is stopping; pods keep running");
    if (watchdog != null) {
      watchdog.close();
    }
    if (timers != null) {
      timers.shutdownNow();
    }
    if (manifestUrl != null) {
      manifestUrl.close();
    }
    if (manifests != null) {
      manifests.close();
    }
    if (podConfigFeeder != null) {
      podConfigFeeder.interrupt();
    }
    pleg.close();
    if (plegTimer != null) {
      plegTimer.shutdownNow();
    }
    syncLoop.close();
    podWorkers.close();
    if (http != null) {
      http.close();
    }
    runtime.close();
    systemd.close();
    registry.close();
  }
}
