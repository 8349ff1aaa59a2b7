package io.berth.cri;

/** Identifies a pod sandbox: pod name, UID, namespace and the sandbox attempt number. */
public record PodSandboxMetadata(String name, String uid, String namespace, int attempt) {
  public PodSandboxMetadata {
    name = Copies.str(name);
    uid = Copies.str(uid);
    namespace = Copies.str(namespace);
  }
}
