package io.berth.agent.events;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fake recorder for unit tests: each event as "KIND FIELDPATH Type Reason: message". */
public final class RecordingEventRecorder implements EventRecorder {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final List<ObjectReference> refs = new CopyOnWriteArrayList<>();

  @Override
  public void event(ObjectReference ref, EventType type, String reason, String message) {
    refs.add(ref);
    lines.add(
        ref.kind() + " " + ref.fieldPath() + " " + type.wire() + " " + reason + ": " + message);
  }

  /** The events so far, oldest first (a live view). */
  public List<String> lines() {
    return lines;
  }

  /** The objects of the events so far. */
  public List<ObjectReference> refs() {
    return refs;
  }

  public void clear() {
    lines.clear();
    refs.clear();
  }
}
