package io.berth.metrics.node;

/**
 * Where node-wide stats come from; {@link OshiNodeStatsSource} in production, a lambda in tests.
 */
@FunctionalInterface
public interface NodeStatsSource {
  /**
   * Reads the current node stats.
   *
   * @throws NodeStatsException when the host cannot be read
   */
  NodeStats read();

  /** The host could not be read. */
  final class NodeStatsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NodeStatsException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
