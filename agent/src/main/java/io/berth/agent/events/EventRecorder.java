package io.berth.agent.events;

/**
 * Records an event about an object (client-go's {@code record.EventRecorder}). Implementations
 * never block the caller and never throw: a pod worker's sync goes on whatever happens to the
 * event.
 */
@FunctionalInterface
public interface EventRecorder {
  /** Records nothing: standalone mode, where there is no API server to write events to. */
  EventRecorder NONE = (ref, type, reason, message) -> {};

  /**
   * @param reason a short UpperCamelCase word ({@link KubeletEvents})
   * @param message what happened, for a human
   */
  void event(ObjectReference ref, EventType type, String reason, String message);

  default void normal(ObjectReference ref, String reason, String message) {
    event(ref, EventType.NORMAL, reason, message);
  }

  default void warning(ObjectReference ref, String reason, String message) {
    event(ref, EventType.WARNING, reason, message);
  }
}
