package io.berth.agent.http;

import java.time.Duration;

/**
 * What one request may cost: request line and header sizes (431 beyond), body size (413 beyond),
 * and how long a connection may stay silent before it is closed (slowloris).
 */
public record HttpLimits(
    int maxInitialLineBytes, int maxHeaderBytes, int maxBodyBytes, Duration idleTimeout) {
  public static HttpLimits defaults() {
    return new HttpLimits(4096, 8192, 64 * 1024, Duration.ofSeconds(30));
  }
}
