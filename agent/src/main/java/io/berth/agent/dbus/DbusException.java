package io.berth.agent.dbus;

/**
 * A D-Bus failure: the bus could not be reached or authenticated with, a message was malformed, or
 * a call got an error reply ({@link #errorName()} is then the D-Bus error name, e.g. {@code
 * org.freedesktop.DBus.Error.ServiceUnknown}).
 */
public final class DbusException extends Exception {
  private final String errorName;

  public DbusException(String message) {
    this(message, null, null);
  }

  public DbusException(String message, Throwable cause) {
    this(message, null, cause);
  }

  public DbusException(String message, String errorName, Throwable cause) {
    super(message, cause);
    this.errorName = errorName;
  }

  /** The D-Bus error name of an error reply; null for transport and protocol failures. */
  public String errorName() {
    return errorName;
  }
}
