package io.berth.agent.cli;

/** An operator command that cannot do what was asked; the message says why, in one line. */
public final class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
