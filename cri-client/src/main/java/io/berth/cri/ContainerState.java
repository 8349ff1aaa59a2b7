package io.berth.cri;

/** State of a container. */
public enum ContainerState {
  CREATED,
  RUNNING,
  EXITED,
  UNKNOWN
}
