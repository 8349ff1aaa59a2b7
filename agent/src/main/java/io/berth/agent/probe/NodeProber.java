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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's prober, assembled: one Netty epoll event loop thread for every network probe and
 * worker timer, exec probes through the CRI's ExecSync ({@link CriExecRunner}), the probes
 * library's {@link ProbeManager} and results channel, the pod-facing {@link ProberManager}, and the
 * registry behind {@code /metrics/probes}.
 *
 * <pre>
 *   berth-probe (epoll thread): worker ticks → TCP/HTTP/gRPC probes ─┐
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
  private final ProbeManager workers;
  private final ProberManager pods;
  private final ProbesEndpoint endpoint;

  /** {@code runtime} gives the connected runtime for exec probes (it may throw while none). */
  public NodeProber(Supplier<RuntimeService> runtime, Clock clock) {
    this.group =
        new MultiThreadIoEventLoopGroup(
            1,
            Thread.ofPlatform().name("berth-probe").daemon(true).factory(),
            Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    var transport = new ProbeTransport(group, resolver);
    var scheduler = new EventLoopProbeScheduler(group.next(), clock);
    var prober =
        new HandlerProber(
            new TcpProber(transport),
            new HttpProber(transport, USER_AGENT),
            new GrpcProber(transport, USER_AGENT),
            new ExecProber(new CriExecRunner(runtime), scheduler));
    var metrics = new ProbeMetrics();
    metrics.bindTo(registry);
    this.workers = new ProbeManager(prober, results, metrics, scheduler, new SplittableRandom());
    this.pods = new ProberManager(workers, results, clock);
    this.endpoint = new ProbesEndpoint(workers, new ObjectMapper());
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
    workers.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    resolver.shutdownNow();
    registry.close();
  }
}
