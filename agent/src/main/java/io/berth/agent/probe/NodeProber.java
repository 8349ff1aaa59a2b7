package io.berth.agent.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.http.HttpReply;
import io.berth.cri.RuntimeService;
import io.berth.probes.EventLoopProbeScheduler;
import io.berth.probes.ProbeManager;
import io.berth.probes.ProbeMetrics;
import io.berth.probes.ProbeResults;
import io.berth.probes.prober.ExecProber;
import io.berth.probes.prober.GrpcProber;
import io.berth.probes.prober.HandlerProber;
import io.berth.probes.prober.HttpProber;
import io.berth.probes.prober.ProbeTransport;
import io.berth.probes.prober.TcpProber;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's prober, assembled: Netty epoll event loops (two on two or more CPUs) that run every
 * network probe and worker timer, one {@link ProbeManager} shard per loop with pods split by UID,
 * exec probes through the CRI's ExecSync ({@link CriExecRunner}), the one results channel, the
 * pod-facing {@link ProberManager}, and the registry behind {@code /metrics/probes}.
 *
 * <pre>
 *   berth-probe-0/1 (epoll threads): worker ticks → TCP/HTTP/gRPC probes ─┐
 *   virtual threads: CRI ExecSync (exec probes), DNS of probe hosts ─┴▶ ProbeResults ─▶ results()
 * </pre>
 */
public final class NodeProber implements AutoCloseable {
  /** The kubelet's User-Agent, {@code kube-probe/<major>.<minor>}. */
  static final String USER_AGENT = "kube-probe/1.32";

  private final EventLoopGroup group;
  private final ExecutorService resolver = Executors.newVirtualThreadPerTaskExecutor();
  private final ProbeResults results = new ProbeResults();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<ProbeManager> shards = new ArrayList<>();
  private final ProberManager pods;
  private final ProbesEndpoint endpoint;

  /** {@code runtime} gives the connected runtime for exec probes (it may throw while none). */
  public NodeProber(Supplier<RuntimeService> runtime, Clock clock) {
    int loops = loops(Runtime.getRuntime().availableProcessors());
    this.group =
        new MultiThreadIoEventLoopGroup(
            loops,
            Thread.ofPlatform().name("berth-probe-", 0).daemon(true).factory(),
            Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    var transport = new ProbeTransport(group, resolver);
    var exec = new CriExecRunner(runtime);
    var metrics = new ProbeMetrics();
    metrics.bindTo(registry);
    for (var loop : group) { // one shard per loop thread
      var scheduler = new EventLoopProbeScheduler((EventLoop) loop, clock);
      var prober =
          new HandlerProber(
              new TcpProber(transport),
              new HttpProber(transport, USER_AGENT),
              new GrpcProber(transport, USER_AGENT),
              new ExecProber(exec, scheduler));
      shards.add(new ProbeManager(prober, results, metrics, scheduler, new SplittableRandom()));
    }
    this.pods = new ProberManager(shards, results, clock);
    this.endpoint = new ProbesEndpoint(shards, new ObjectMapper());
  }

  /**
   * How many probe loops: two where there are two CPUs or more, so the probes get two CPU shares on
   * a busy node (probes/README.md, "Overload"); pods are split between them by UID.
   */
  static int loops(int cpus) {
    return cpus >= 2 ? 2 : 1;
  }

  /** What pod workers use. */
  public ProberManager pods() {
    return pods;
  }

  /** The results channel: the sync loop takes changes from here. */
  public ProbeResults results() {
    return results;
  }

  /** {@code GET /probes}: every worker's last result, as JSON (may wait up to 2 s). */
  public HttpReply probesReply() throws InterruptedException {
    return endpoint.reply();
  }

  /** The text exposition of {@code /metrics/probes}. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    shards.forEach(ProbeManager::close);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    resolver.shutdownNow();
    registry.close();
  }
}
