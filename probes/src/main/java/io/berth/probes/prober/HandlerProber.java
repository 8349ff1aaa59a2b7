package io.berth.probes.prober;

import io.berth.probes.ProbeHandler;
import io.berth.probes.ProbeResult;
import io.berth.probes.Prober;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** The {@link Prober} the agent uses: sends each kind of {@link ProbeHandler} to its prober. */
public final class HandlerProber implements Prober {
  private final TcpProber tcp;
  private final HttpProber http;
  private final GrpcProber grpc;
  private final ExecProber exec;

  public HandlerProber(TcpProber tcp, HttpProber http, GrpcProber grpc, ExecProber exec) {
    this.tcp = tcp;
    this.http = http;
    this.grpc = grpc;
    this.exec = exec;
  }

  @Override
  public CompletionStage<ProbeResult> probe(
      ProbeHandler handler, ProbeTarget target, Duration timeout) {
    return switch (handler) {
      case ProbeHandler.Tcp t ->
          tcp.probe(t.host().filter(h -> !h.isEmpty()).orElse(target.podIp()), t.port(), timeout);
      case ProbeHandler.Http h -> http.probe(h, target.podIp(), timeout);
      case ProbeHandler.Grpc g -> grpc.probe(target.podIp(), g.port(), g.service(), timeout);
      case ProbeHandler.Exec e -> exec.probe(target.containerId(), e.command(), timeout);
    };
  }

  /** HTTP and TCP probes bind their URL, request and address once; the others need nothing. */
  @Override
  public Prepared prepare(ProbeHandler handler, ProbeTarget target) {
    return switch (handler) {
      case ProbeHandler.Tcp t ->
          tcp.prepare(t.host().filter(h -> !h.isEmpty()).orElse(target.podIp()), t.port());
      case ProbeHandler.Http h -> http.prepare(h, target.podIp());
      case ProbeHandler.Grpc g -> Prober.super.prepare(handler, target);
      case ProbeHandler.Exec e -> Prober.super.prepare(handler, target);
    };
  }
}
