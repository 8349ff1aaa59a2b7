package io.berth.agent.server;

import java.time.Duration;

/**
 * What one connection or request to the node API may cost. A request whose line or headers exceed
 * their sizes gets 431, a body over {@code maxBodyBytes} 413; a connection that has not sent a
 * complete request head within {@code requestHeaderTimeout} (slowloris) or stays silent for {@code
 * idleTimeout} is closed; connections beyond {@code maxConnections} are closed at once; log follows
 * and exec/attach/port-forward sessions beyond {@code maxStreams} get 429.
 */
public record NodeServerLimits(
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int maxBodyBytes,
    Duration requestHeaderTimeout,
    Duration idleTimeout,
    int maxConnections,
    int maxStreams) {
  public NodeServerLimits {
    if (maxConnections < 1 || maxStreams < 1) {
      throw new IllegalArgumentException(
          "maxConnections and maxStreams must be >= 1, got " + maxConnections + ", " + maxStreams);
    }
  }

  public static NodeServerLimits defaults() {
    return new NodeServerLimits(
        8192, 16 * 1024, 64 * 1024, Duration.ofSeconds(10), Duration.ofMinutes(4), 1000, 100);
  }
}
