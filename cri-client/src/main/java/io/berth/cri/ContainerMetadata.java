package io.berth.cri;

/** Identifies a container within its sandbox: container name and attempt (restart) number. */
public record ContainerMetadata(String name, int attempt) {
  public ContainerMetadata {
    name = Copies.str(name);
  }
}
