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
    if (!Boolean.valueOf(memoryPressure).equals(this.memoryPressure)) {
      record(memoryPressure ? "NodeHasInsufficientMemory" : "NodeHasSufficientMemory");
      this.memoryPressure = memoryPressure;
    }
    if (!Boolean.valueOf(diskPressure).equals(this.diskPressure)) {
      record(diskPressure ? "NodeHasDiskPressure" : "NodeHasNoDiskPressure");
      this.diskPressure = diskPressure;
    }
    if (!Boolean.valueOf(pidPressure).equals(this.pidPressure)) {
      record(pidPressure ? "NodeHasInsufficientPID" : "NodeHasSufficientPID");
      this.pidPressure = pidPressure;
    }
    if (!Boolean.valueOf(ready).equals(this.ready)) {
      record(ready ? "NodeReady" : "NodeNotReady");
      this.ready = ready;
    }
  }

  private void record(String event) {
    recorder.normal(node, event, "Node " + nodeName + " status is now: " + event);
  }
}
