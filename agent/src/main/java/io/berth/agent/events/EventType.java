package io.berth.agent.events;

/** An event's {@code type}: the two values core/v1 allows. */
public enum EventType {
  NORMAL("Normal"),
  WARNING("Warning");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  /** The API's spelling. */
  public String wire() {
    return wire;
  }
}
