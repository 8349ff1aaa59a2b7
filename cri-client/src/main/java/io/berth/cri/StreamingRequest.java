package io.berth.cri;

import java.util.List;

/**
 * Parameters of the streaming {@code Exec} ({@code cmd} non-empty) and {@code Attach} ({@code cmd}
 * empty) calls. At least one of stdin, stdout, stderr must be set; with a TTY stderr must be off.
 */
public record StreamingRequest(
    String containerId,
    List<String> cmd,
    boolean tty,
    boolean stdin,
    boolean stdout,
    boolean stderr) {
  public StreamingRequest {
    containerId = Copies.str(containerId);
    cmd = Copies.list(cmd);
  }

  /** Exec of {@code cmd} with stdout and stderr, no stdin, no TTY. */
  public static StreamingRequest exec(String containerId, List<String> cmd) {
    return new StreamingRequest(containerId, cmd, false, false, true, true);
  }

  /** Attach to stdout and stderr, no stdin, no TTY. */
  public static StreamingRequest attach(String containerId) {
    return new StreamingRequest(containerId, List.of(), false, false, true, true);
  }
}
