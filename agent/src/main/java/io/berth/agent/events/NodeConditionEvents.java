package io.berth.agent.events;

/**
 * The kubelet's node condition events ({@code recordNodeStatusEvent}): "Node NAME status is now:
 * NodeHasSufficientMemory" and the like, recorded when a condition changes, in the kubelet's setter
 * order (memory, disk, PID pressure, then Ready). The first observation after berth starts counts
 * as a change, so a started berth records all four, as a kubelet that registers its Node does.
 *
 * <p>Thread safety: called from the node status reporter's one thread; synchronized anyway.
 */
public final class NodeConditionEvents {
  private final EventRecorder recorder;
  private final ObjectReference node;
  private final String nodeName;
  private Boolean memoryPressure;
  private Boolean diskPressure;
  private Boolean pidPressure;
  private Boolean ready;

  public NodeConditionEvents(EventRecorder recorder, String nodeName) {
    this.recorder = recorder;
    this.node = ObjectReference.node(nodeName);
    this.nodeName = nodeName;
  }

  /** The conditions as the status about to be reported has them. */
  public synchronized void observed(
      boolean memoryPressure, boolean diskPressure, boolean pidPressure, boolean ready) {
    this.memoryPressure =
        transition(
            this.memoryPressure,
            memoryPressure,
            "NodeHasInsufficientMemory",
            "NodeHasSufficientMemory");
    this.diskPressure =
        transition(this.diskPressure, diskPressure, "NodeHasDiskPressure", "NodeHasNoDiskPressure");
    this.pidPressure =
        transition(this.pidPressure, pidPressure, "NodeHasInsufficientPID", "NodeHasSufficientPID");
    this.ready = transition(this.ready, ready, "NodeReady", "NodeNotReady");
  }

  /** Records {@code whenTrue} or {@code whenFalse} when {@code now} differs from {@code last}. */
  private Boolean transition(Boolean last, boolean now, String whenTrue, String whenFalse) {
    if (last == null || last != now) {
      record(now ? whenTrue : whenFalse);
    }
    return now;
  }

  private void record(String event) {
    recorder.normal(node, event, "Node " + nodeName + " status is now: " + event);
  }
}
