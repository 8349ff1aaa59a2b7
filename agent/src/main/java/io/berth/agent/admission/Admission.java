package io.berth.agent.admission;

/** The verdict on one pod. */
public sealed interface Admission {
  /** The node takes the pod. */
  record Admit() implements Admission {}

  /** The node refuses the pod: phase Failed with this reason and message. */
  record Reject(String reason, String message) implements Admission {}

  Admission ADMIT = new Admit();
}
