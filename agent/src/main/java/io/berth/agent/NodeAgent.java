package io.berth.agent;

import io.berth.agent.http.HttpApiServer;
import io.berth.agent.http.HttpLimits;
import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import io.berth.agent.stats.NodeMetricsEndpoints;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * </pre>
 *
 * <p>What is not here yet (pod sources, pod workers, PLEG, the proxier, node registration) plugs
 * into the sync loop and this root as the issues land.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  /** What berth runs with; the config file and flags are parsed into this. */
  public record Settings(
      String runtimeEndpoint,
      InetSocketAddress httpAddress,
      String nodeName,
      Path rootDir,
      Duration housekeepingPeriod) {}

  private final Settings settings;
  private final Clock clock;
  private final Map<String, String> env;
  private final Heartbeat heartbeat;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RuntimeConnection runtime;
  private final SyncLoop syncLoop;
  private SdNotifier systemd = SdNotifier.Disabled.INSTANCE;
  private WatchdogKeeper watchdog;
  private ScheduledExecutorService timers;
  private HttpApiServer http;

  public NodeAgent(Settings settings, Clock clock, Map<String, String> env) {
    this.settings = settings;
    this.clock = clock;
    this.env = env;
    this.heartbeat = new Heartbeat(clock);
    this.runtime = new RuntimeConnection(settings.runtimeEndpoint());
    this.syncLoop = new SyncLoop(heartbeat, settings.housekeepingPeriod());
  }

  /** Starts serving; returns once the HTTP API listens. The runtime may come later. */
  public synchronized void start() throws IOException {
    systemd = SdNotifier.fromEnvironment(env);
    bindOwnMetrics();
    HttpRoutes routes = new HttpRoutes().get("/healthz", r -> healthz());
    NodeMetricsEndpoints.forHost(
            new RuntimePodInventory(runtime::runtime),
            registry,
            settings.nodeName(),
            settings.rootDir(),
            clock)
        .register(routes);
    http = HttpApiServer.start(settings.httpAddress(), routes, HttpLimits.defaults());
    log.info("serving {} on http://{}", routes.paths(), hostPort(http.address()));
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
    systemd.status("connecting to the container runtime at " + settings.runtimeEndpoint());
    runtime.connectInBackground(this::runtimeConnected);
  }

  private void runtimeConnected(CriRuntime cri) {
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
    syncLoop.close();
    if (http != null) {
      http.close();
    }
    runtime.close();
    systemd.close();
    registry.close();
  }
}
