package io.berth.cri;

import io.berth.cri.internal.CriConnection;

/**
 * A connection to a CRI v1 container runtime over its Unix socket: the entry point of this module.
 *
 * <pre>{@code
 * try (CriRuntime cri = CriRuntime.connect("unix:///run/containerd/containerd.sock")) {
 *   String podId = cri.runtime().runPodSandbox(sandboxConfig);
 *   String imageRef = cri.images().pullImage("docker.io/library/busybox:1.36");
 * }
 * }</pre>
 *
 * <p>{@link #connect} calls {@code Version} on {@code runtime.v1} first and refuses, with one clear
 * line, a missing socket, a socket that is not a CRI server and a runtime without v1. After that
 * the connection survives runtime restarts: gRPC reconnects by itself, and calls made while it
 * reconnects wait briefly for it (see {@link CriOptions#unavailableRetryWindow()}).
 *
 * <p>Thread safety: thread-safe; share one instance. {@link #close()} shuts down the channel and
 * its event loop.
 */
public final class CriRuntime implements AutoCloseable {
  private final CriConnection connection;

  private CriRuntime(CriConnection connection) {
    this.connection = connection;
  }

  /** Connects with {@link CriOptions#defaults()}. */
  public static CriRuntime connect(String endpoint) {
    return connect(endpoint, CriOptions.defaults());
  }

  /**
   * Connects to the runtime at {@code endpoint} ({@code unix:///path} or an absolute path) and
   * checks that it serves CRI {@code runtime.v1}.
   *
   * @throws IllegalArgumentException when the endpoint is not a Unix socket endpoint
   * @throws CriUnavailableException when no runtime listens there (socket file missing, ...)
   * @throws CriProtocolException when what listens there is not a CRI gRPC server
   * @throws CriUnsupportedApiException when the runtime does not serve {@code runtime.v1}
   */
  public static CriRuntime connect(String endpoint, CriOptions options) {
    return connect(endpoint, options, CriCallObserver.NONE);
  }

  /** As {@link #connect(String, CriOptions)}, reporting every later call to {@code observer}. */
  public static CriRuntime connect(String endpoint, CriOptions options, CriCallObserver observer) {
    return new CriRuntime(CriConnection.open(endpoint, options, observer));
  }

  /** The runtime service (sandboxes, containers, exec, stats, status). */
  public RuntimeService runtime() {
    return connection.runtime();
  }

  /** The image service (list, status, pull, remove, filesystem info). */
  public ImageService images() {
    return connection.images();
  }

  /** What the runtime answered to {@code Version} when connecting. */
  public VersionInfo version() {
    return connection.version();
  }

  /** The endpoint as {@code unix:///path}. */
  public String endpoint() {
    return connection.endpoint().display();
  }

  @Override
  public void close() {
    connection.close();
  }

  @Override
  public String toString() {
    VersionInfo v = version();
    return "CriRuntime[" + endpoint() + ", " + v.runtimeName() + " " + v.runtimeVersion() + "]";
  }
}
