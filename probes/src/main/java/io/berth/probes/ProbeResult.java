package io.berth.probes;

import java.util.Objects;

/**
 * The outcome of one probe run, with the message the kubelet would put in an event (an HTTP body up
 * to 10 KiB, an exec command's output, or why it failed).
 */
public record ProbeResult(Outcome outcome, String message) {

  /** The kubelet's {@code probe.Result}. */
  public enum Outcome {
    SUCCESS,
    /** Counts as success (e.g. an HTTP redirect to another host that was not followed). */
    WARNING,
    FAILURE,
    /** The probe could not be run (a prober error); the worker throws the result away. */
    UNKNOWN
  }

  public ProbeResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(message, "message");
  }

  public static ProbeResult success(String message) {
    return new ProbeResult(Outcome.SUCCESS, message);
  }

  public static ProbeResult warning(String message) {
    return new ProbeResult(Outcome.WARNING, message);
  }

  public static ProbeResult failure(String message) {
    return new ProbeResult(Outcome.FAILURE, message);
  }

  public static ProbeResult unknown(String message) {
    return new ProbeResult(Outcome.UNKNOWN, message);
  }

  /** Success or warning: the container passes this probe. */
  public boolean passed() {
    return outcome == Outcome.SUCCESS || outcome == Outcome.WARNING;
  }
}
