package io.berth.agent.shutdown;

/** systemd-logind cannot be used: no system bus, no logind on it, or a call to it failed. */
public final class LogindUnavailableException extends Exception {
  public LogindUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
