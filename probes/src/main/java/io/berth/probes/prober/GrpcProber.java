package io.berth.probes.prober;

import io.berth.probes.ProbeResult;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * {@code grpc} probes: one {@code grpc.health.v1.Health/Check} call over plaintext HTTP/2 on the
 * shared event loop group, bounded by the probe's timeout (connection included); SERVING is
 * success, every other answer or error a failure with the kubelet's wording. The channel is shut
 * down as soon as the call ends.
 */
public final class GrpcProber {
  private final ProbeTransport transport;
  private final String userAgent;

  public GrpcProber(ProbeTransport transport, String userAgent) {
    this.transport = transport;
    this.userAgent = userAgent;
  }

  public CompletionStage<ProbeResult> probe(
      String host, int port, Optional<String> service, Duration timeout) {
    var result = new CompletableFuture<ProbeResult>();
    var hostPort = ProbeTransport.hostPort(host, port);
    transport
        .resolve(host, port, timeout, transport.pickLoop())
        .whenComplete(
            (address, error) -> {
              if (error != null) {
                result.complete(
                    ProbeResult.failure(
                        "timeout: failed to connect service \""
                            + hostPort
                            + "\" within "
                            + seconds(timeout)
                            + ": "
                            + TcpProber.unwrap(error)));
                return;
              }
              call(address, hostPort, service, timeout, result);
            });
    return result;
  }

  private void call(
      InetSocketAddress address,
      String hostPort,
      Optional<String> service,
      Duration timeout,
      CompletableFuture<ProbeResult> result) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(address)
            .eventLoopGroup(transport.group())
            .channelType(transport.channelClass())
            .withOption(ChannelOption.SO_LINGER, 0)
            .usePlaintext()
            .userAgent(userAgent)
            .directExecutor()
            .disableRetry()
            .build();
    var request = HealthCheckRequest.newBuilder().setService(service.orElse("")).build();
    HealthGrpc.newStub(channel)
        .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .check(
            request,
            new StreamObserver<>() {
              private HealthCheckResponse response;

              @Override
              public void onNext(HealthCheckResponse value) {
                response = value;
              }

              @Override
              public void onError(Throwable t) {
                channel.shutdownNow();
                result.complete(ProbeResult.failure(describe(t, hostPort, timeout)));
              }

              @Override
              public void onCompleted() {
                channel.shutdownNow();
                if (response != null
                    && response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                  result.complete(ProbeResult.success(""));
                } else {
                  var status = response == null ? "UNKNOWN" : response.getStatus().name();
                  result.complete(
                      ProbeResult.failure("service unhealthy (responded with \"" + status + "\")"));
                }
              }
            });
  }

  static String describe(Throwable t, String hostPort, Duration timeout) {
    var status = t instanceof StatusRuntimeException e ? e.getStatus() : Status.fromThrowable(t);
    return switch (status.getCode()) {
      case UNIMPLEMENTED ->
          "this server does not implement the grpc health protocol (grpc.health.v1.Health): "
              + status.getDescription();
      case DEADLINE_EXCEEDED -> "timeout: health rpc did not complete within " + seconds(timeout);
      case UNAVAILABLE ->
          "timeout: failed to connect service \""
              + hostPort
              + "\" within "
              + seconds(timeout)
              + ": "
              + status;
      default -> "error: health rpc probe failed: " + status;
    };
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
