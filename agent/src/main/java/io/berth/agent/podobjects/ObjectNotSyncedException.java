package io.berth.agent.podobjects;

/**
 * The watch of a ConfigMap or Secret has not delivered its first list within the kubelet's one
 * second (API server slow or unreachable): the object's state is unknown, so neither its data nor
 * "not found" may be used; the pod's sync is retried.
 */
public final class ObjectNotSyncedException extends RuntimeException {
  private final ObjectKey key;

  public ObjectNotSyncedException(ObjectKey key) {
    super(
        "failed to sync "
            + key.kind().resource()
            + " cache for "
            + key.namespace()
            + "/"
            + key.name()
            + ": timed out waiting for the condition");
    this.key = key;
  }

  public ObjectKey key() {
    return key;
  }
}
