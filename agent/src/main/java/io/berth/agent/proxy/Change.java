package io.berth.agent.proxy;

import java.util.Optional;

/**
 * One object's state at the last sync and now; empty means absent. A change whose two sides are
 * equal is no change and is dropped by the trackers.
 */
public record Change<T>(Optional<T> previous, Optional<T> current) {
  public boolean isNoop() {
    return previous.equals(current);
  }
}
