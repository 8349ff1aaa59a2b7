package io.berth.cri;

import java.time.Duration;

/**
 * Deadlines and limits of a {@link CriRuntime}.
 *
 * @param requestTimeout deadline of ordinary calls (the kubelet's {@code
 *     --runtime-request-timeout}, 2 minutes by default)
 * @param statusTimeout deadline of cheap, idempotent reads: Version, Status, *Status, List*, stats
 * @param pullTimeout deadline of PullImage
 * @param execSyncMargin added to an ExecSync command timeout to make the call deadline, leaving the
 *     runtime time to kill the command and answer
 * @param connectTimeout deadline of the Version call that {@link CriRuntime#connect} makes
 * @param unavailableRetryWindow how long an idempotent read that failed with UNAVAILABLE waits for
 *     the channel to reconnect before it is retried once (0 disables the retry)
 * @param maxInboundMessageBytes largest response accepted (ExecSync output can be 16 MiB each)
 */
public record CriOptions(
    Duration requestTimeout,
    Duration statusTimeout,
    Duration pullTimeout,
    Duration execSyncMargin,
    Duration connectTimeout,
    Duration unavailableRetryWindow,
    int maxInboundMessageBytes) {
  public CriOptions {
    requirePositive(requestTimeout, "requestTimeout");
    requirePositive(statusTimeout, "statusTimeout");
    requirePositive(pullTimeout, "pullTimeout");
    requirePositive(connectTimeout, "connectTimeout");
    if (execSyncMargin == null || execSyncMargin.isNegative()) {
      throw new IllegalArgumentException("execSyncMargin must be >= 0, got " + execSyncMargin);
    }
    if (unavailableRetryWindow == null || unavailableRetryWindow.isNegative()) {
      throw new IllegalArgumentException(
          "unavailableRetryWindow must be >= 0, got " + unavailableRetryWindow);
    }
    if (maxInboundMessageBytes <= 0) {
      throw new IllegalArgumentException("maxInboundMessageBytes must be > 0");
    }
  }

  /** 2 min requests, 10 s reads, 10 min pulls, ExecSync timeout + 10 s, 10 s connect, 2 s retry. */
  public static CriOptions defaults() {
    return new CriOptions(
        Duration.ofMinutes(2),
        Duration.ofSeconds(10),
        Duration.ofMinutes(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(2),
        32 * 1024 * 1024);
  }

  public CriOptions withRequestTimeout(Duration value) {
    return new CriOptions(
        value,
        statusTimeout,
        pullTimeout,
        execSyncMargin,
        connectTimeout,
        unavailableRetryWindow,
        maxInboundMessageBytes);
  }

  public CriOptions withStatusTimeout(Duration value) {
    return new CriOptions(
        requestTimeout,
        value,
        pullTimeout,
        execSyncMargin,
        connectTimeout,
        unavailableRetryWindow,
        maxInboundMessageBytes);
  }

  public CriOptions withPullTimeout(Duration value) {
    return new CriOptions(
        requestTimeout,
        statusTimeout,
        value,
        execSyncMargin,
        connectTimeout,
        unavailableRetryWindow,
        maxInboundMessageBytes);
  }

  public CriOptions withExecSyncMargin(Duration value) {
    return new CriOptions(
        requestTimeout,
        statusTimeout,
        pullTimeout,
        value,
        connectTimeout,
        unavailableRetryWindow,
        maxInboundMessageBytes);
  }

  public CriOptions withConnectTimeout(Duration value) {
    return new CriOptions(
        requestTimeout,
        statusTimeout,
        pullTimeout,
        execSyncMargin,
        value,
        unavailableRetryWindow,
        maxInboundMessageBytes);
  }

  public CriOptions withUnavailableRetryWindow(Duration value) {
    return new CriOptions(
        requestTimeout,
        statusTimeout,
        pullTimeout,
        execSyncMargin,
        connectTimeout,
        value,
        maxInboundMessageBytes);
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be > 0, got " + d);
    }
  }
}
