package io.berth.agent.kubeapi;

import java.nio.file.Path;

/** A kubeconfig that cannot be used, with the file and the reason. */
public final class KubeconfigException extends Exception {
  public KubeconfigException(Path file, String reason, Throwable cause) {
    super("kubeconfig " + file + ": " + reason, cause);
  }
}
