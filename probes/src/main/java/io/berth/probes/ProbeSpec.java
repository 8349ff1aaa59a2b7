package io.berth.probes;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A container probe as Kubernetes defines it ({@code core/v1 Probe}), with the API server's
 * defaults applied by {@link #of(ProbeHandler)}.
 *
 * @param terminationGracePeriodSeconds probe-level override of the pod's grace period, used when
 *     this liveness or startup probe fails and the container is killed
 */
public record ProbeSpec(
    ProbeHandler handler,
    int initialDelaySeconds,
    int periodSeconds,
    int timeoutSeconds,
    int successThreshold,
    int failureThreshold,
    OptionalLong terminationGracePeriodSeconds) {

  public static final int DEFAULT_PERIOD_SECONDS = 10;
  public static final int DEFAULT_TIMEOUT_SECONDS = 1;
  public static final int DEFAULT_SUCCESS_THRESHOLD = 1;
  public static final int DEFAULT_FAILURE_THRESHOLD = 3;

  public ProbeSpec {
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(terminationGracePeriodSeconds, "terminationGracePeriodSeconds");
    atLeast("initialDelaySeconds", initialDelaySeconds, 0);
    atLeast("periodSeconds", periodSeconds, 1);
    atLeast("timeoutSeconds", timeoutSeconds, 1);
    atLeast("successThreshold", successThreshold, 1);
    atLeast("failureThreshold", failureThreshold, 1);
    if (terminationGracePeriodSeconds.isPresent()
        && terminationGracePeriodSeconds.getAsLong() < 1) {
      throw new IllegalArgumentException(
          "terminationGracePeriodSeconds must be positive, got "
              + terminationGracePeriodSeconds.getAsLong());
    }
  }

  /** A probe with every field at its Kubernetes default. */
  public static ProbeSpec of(ProbeHandler handler) {
    return new ProbeSpec(
        handler,
        0,
        DEFAULT_PERIOD_SECONDS,
        DEFAULT_TIMEOUT_SECONDS,
        DEFAULT_SUCCESS_THRESHOLD,
        DEFAULT_FAILURE_THRESHOLD,
        OptionalLong.empty());
  }

  public ProbeSpec withInitialDelaySeconds(int v) {
    return new ProbeSpec(
        handler,
        v,
        periodSeconds,
        timeoutSeconds,
        successThreshold,
        failureThreshold,
        terminationGracePeriodSeconds);
  }

  public ProbeSpec withPeriodSeconds(int v) {
    return new ProbeSpec(
        handler,
        initialDelaySeconds,
        v,
        timeoutSeconds,
        successThreshold,
        failureThreshold,
        terminationGracePeriodSeconds);
  }

  public ProbeSpec withTimeoutSeconds(int v) {
    return new ProbeSpec(
        handler,
        initialDelaySeconds,
        periodSeconds,
        v,
        successThreshold,
        failureThreshold,
        terminationGracePeriodSeconds);
  }

  public ProbeSpec withSuccessThreshold(int v) {
    return new ProbeSpec(
        handler,
        initialDelaySeconds,
        periodSeconds,
        timeoutSeconds,
        v,
        failureThreshold,
        terminationGracePeriodSeconds);
  }

  public ProbeSpec withFailureThreshold(int v) {
    return new ProbeSpec(
        handler,
        initialDelaySeconds,
        periodSeconds,
        timeoutSeconds,
        successThreshold,
        v,
        terminationGracePeriodSeconds);
  }

  public ProbeSpec withTerminationGracePeriodSeconds(long v) {
    return new ProbeSpec(
        handler,
        initialDelaySeconds,
        periodSeconds,
        timeoutSeconds,
        successThreshold,
        failureThreshold,
        OptionalLong.of(v));
  }

  public Duration period() {
    return Duration.ofSeconds(periodSeconds);
  }

  public Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }

  /**
   * Checks what depends on the probe's type: Kubernetes requires successThreshold 1 for liveness
   * and startup probes.
   */
  public ProbeSpec validateFor(ProbeType type) {
    if (type.restartsOnFailure() && successThreshold != 1) {
      throw new IllegalArgumentException(
          type.label() + " probe must have successThreshold 1, got " + successThreshold);
    }
    return this;
  }

  private static void atLeast(String field, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ", got " + value);
    }
  }
}
