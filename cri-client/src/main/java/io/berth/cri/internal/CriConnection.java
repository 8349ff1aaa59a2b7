package io.berth.cri.internal;

import io.berth.cri.CriCallObserver;
import io.berth.cri.CriException;
import io.berth.cri.CriOptions;
import io.berth.cri.CriProtocolException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.CriUnsupportedApiException;
import io.berth.cri.ImageService;
import io.berth.cri.RuntimeService;
import io.berth.cri.VersionInfo;
import io.berth.cri.v1.RuntimeServiceGrpc;
import io.berth.cri.v1.VersionRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An open, version-checked connection to a CRI v1 runtime: one channel, both services.
 *
 * <p>{@link #open} checks the socket file, then calls {@code runtime.v1.RuntimeService/Version} and
 * turns every way that can go wrong into one {@link CriException} with a one-line message:
 *
 * <ul>
 *   <li>socket missing, not a socket, or nobody listening → {@link CriUnavailableException}
 *   <li>something listens but does not speak gRPC/HTTP2 → {@link CriProtocolException}
 *   <li>gRPC, but no {@code runtime.v1} service → {@link CriUnsupportedApiException}
 * </ul>
 *
 * <p>Thread safety: thread-safe.
 */
public final class CriConnection implements AutoCloseable {
  private final UnixEndpoint endpoint;
  private final UdsChannel channel;
  private final GrpcRuntimeService runtime;
  private final GrpcImageService images;
  private final VersionInfo version;

  private CriConnection(
      UnixEndpoint endpoint,
      UdsChannel channel,
      CriOptions options,
      CriCallObserver observer,
      VersionInfo version) {
    this.endpoint = endpoint;
    this.channel = channel;
    CallPolicy calls = new CallPolicy(endpoint, channel, options, observer);
    this.runtime = new GrpcRuntimeService(channel.channel(), calls);
    this.images = new GrpcImageService(channel.channel(), calls);
    this.version = version;
  }

  /**
   * Connects and negotiates the API version.
   *
   * @throws IllegalArgumentException when the endpoint is not a Unix socket endpoint
   * @throws CriException when the runtime cannot be used (see class comment)
   */
  public static CriConnection open(String endpointText, CriOptions options) {
    return open(endpointText, options, CriCallObserver.NONE);
  }

  /** As {@link #open(String, CriOptions)}, reporting every later call to {@code observer}. */
  public static CriConnection open(
      String endpointText, CriOptions options, CriCallObserver observer) {
    UnixEndpoint endpoint = UnixEndpoint.parse(endpointText);
    endpoint.checkSocketFile();
    UdsChannel channel = UdsChannel.open(endpoint, options.maxInboundMessageBytes());
    try {
      VersionInfo version = negotiate(endpoint, channel, options);
      return new CriConnection(endpoint, channel, options, observer, version);
    } catch (RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static VersionInfo negotiate(
      UnixEndpoint endpoint, UdsChannel channel, CriOptions options) {
    VersionInfo version;
    try {
      version =
          ImageMapping.version(
              RuntimeServiceGrpc.newBlockingStub(channel.channel())
                  .withDeadlineAfter(options.connectTimeout().toNanos(), TimeUnit.NANOSECONDS)
                  .version(
                      VersionRequest.newBuilder()
                          .setVersion(GrpcRuntimeService.KUBELET_API_VERSION)
                          .build()));
    } catch (StatusRuntimeException e) {
      throw classify(endpoint, e, options);
    }
    String api = version.runtimeApiVersion();
    if (!api.isEmpty() && !api.equals("v1") && !api.startsWith("v1.")) {
      throw new CriUnsupportedApiException(
          "CRI runtime at "
              + endpoint
              + " ("
              + version.runtimeName()
              + " "
              + version.runtimeVersion()
              + ") reports API version "
              + api
              + ", berth needs runtime.v1",
          endpoint.display(),
          null);
    }
    return version;
  }

  static CriException classify(UnixEndpoint endpoint, StatusRuntimeException e, CriOptions o) {
    Status status = e.getStatus();
    String detail = StatusTranslator.detail(status);
    String lower = detail.toLowerCase(Locale.ROOT);
    return switch (status.getCode()) {
      case UNIMPLEMENTED ->
          new CriUnsupportedApiException(
              "the server at "
                  + endpoint
                  + " does not serve the CRI runtime.v1 API (Version: "
                  + detail
                  + "); berth needs a CRI v1 runtime such as containerd 1.6+ or CRI-O 1.20+",
              endpoint.display(),
              e);
      case UNAVAILABLE -> {
        if (lower.contains("connection refused") || lower.contains("no such file")) {
          yield endpoint.unavailable("connection refused (stale socket file?)", e);
        }
        if (lower.contains("permission denied")) {
          yield endpoint.unavailable("permission denied", e);
        }
        yield new CriProtocolException(
            "the server at "
                + endpoint
                + " is not a CRI gRPC server: it closed the connection without speaking HTTP/2"
                + " ("
                + detail
                + ")",
            endpoint.display(),
            e);
      }
      case DEADLINE_EXCEEDED ->
          new CriProtocolException(
              "the server at "
                  + endpoint
                  + " did not answer the CRI Version call within "
                  + Durations.human(o.connectTimeout())
                  + "; is it a CRI runtime?",
              endpoint.display(),
              e);
      case INTERNAL, UNKNOWN -> {
        // Netty's HTTP/2 codec dumps the first bytes it got; 485454502f is "HTTP/".
        String what =
            lower.contains("485454502f")
                ? "it answered in HTTP/1.x, not gRPC over HTTP/2"
                : "it did not answer with gRPC over HTTP/2";
        yield new CriProtocolException(
            "the server at "
                + endpoint
                + " is not a CRI gRPC server: "
                + what
                + " ("
                + detail
                + ")",
            endpoint.display(),
            e);
      }
      default -> StatusTranslator.translate(e, "Version", endpoint.display(), o.connectTimeout());
    };
  }

  public UnixEndpoint endpoint() {
    return endpoint;
  }

  public RuntimeService runtime() {
    return runtime;
  }

  public ImageService images() {
    return images;
  }

  public VersionInfo version() {
    return version;
  }

  @Override
  public void close() {
    channel.close();
  }
}
