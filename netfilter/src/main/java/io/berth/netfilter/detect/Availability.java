package io.berth.netfilter.detect;

/** Whether a mechanism works here, and in words why (or why not). */
public record Availability(boolean available, String reason) {
  public static Availability yes(String reason) {
    return new Availability(true, reason);
  }

  public static Availability no(String reason) {
    return new Availability(false, reason);
  }
}
