package io.berth.cri;

/** One runtime condition, e.g. {@code RuntimeReady} or {@code NetworkReady}. */
public record RuntimeCondition(String type, boolean status, String reason, String message) {
  public static final String RUNTIME_READY = "RuntimeReady";
  public static final String NETWORK_READY = "NetworkReady";

  public RuntimeCondition {
    type = Copies.str(type);
    reason = Copies.str(reason);
    message = Copies.str(message);
  }
}
