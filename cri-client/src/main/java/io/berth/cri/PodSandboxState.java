package io.berth.cri;

/** State of a pod sandbox. */
public enum PodSandboxState {
  READY,
  NOT_READY
}
