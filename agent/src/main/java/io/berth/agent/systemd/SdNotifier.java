package io.berth.agent.systemd;

import java.io.Closeable;

/**
 * Sends service state to systemd (sd_notify(3)). Implementations never throw on a failed send: a
 * lost notification is logged, and systemd's own timeouts decide what happens next.
 */
public interface SdNotifier extends Closeable {
  /** Sends one or more newline-separated {@code KEY=VALUE} assignments. */
  void notify(String assignments);

  default void ready(String status) {
    notify("READY=1\nSTATUS=" + oneLine(status));
  }

  default void status(String status) {
    notify("STATUS=" + oneLine(status));
  }

  default void watchdog() {
    notify("WATCHDOG=1");
  }

  default void stopping(String status) {
    notify("STOPPING=1\nSTATUS=" + oneLine(status));
  }

  /** Whether notifications go anywhere ({@code $NOTIFY_SOCKET} was set). */
  boolean enabled();

  @Override
  void close();

  /** A status is one line: systemd shows it in {@code systemctl status}. */
  static String oneLine(String status) {
    return status.replace('\n', ' ');
  }

  /** The notifier for this process: datagrams to {@code $NOTIFY_SOCKET}, or nothing if unset. */
  static SdNotifier fromEnvironment(java.util.Map<String, String> env) {
    String socket = env.get("NOTIFY_SOCKET");
    if (socket == null || socket.isEmpty()) {
      return Disabled.INSTANCE;
    }
    return DatagramSdNotifier.open(socket);
  }

  /** No systemd, or not Type=notify: every call is a no-op. */
  enum Disabled implements SdNotifier {
    INSTANCE;

    @Override
    public void notify(String assignments) {}

    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void close() {}
  }
}
