package io.berth.agent.shutdown;

import io.berth.agent.dbus.DbusConnection;
import io.berth.agent.dbus.DbusException;
import io.berth.agent.dbus.DbusMessage;
import io.berth.agent.dbus.UnixSocket;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link Logind} on the system bus through berth's own D-Bus client. */
public final class DbusLogind implements Logind {
  private static final Logger log = LoggerFactory.getLogger(DbusLogind.class);

  public static final String NAME = "org.freedesktop.login1";
  public static final String PATH = "/org/freedesktop/login1";
  public static final String MANAGER = "org.freedesktop.login1.Manager";

  /** How long berth waits for the bus or logind to answer one call. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final DbusConnection bus;
  private final String address;

  private DbusLogind(DbusConnection bus, String address) {
    this.bus = bus;
    this.address = address;
  }

  /** Connects to the bus at {@code address}; logind itself is first asked in the calls. */
  public static DbusLogind connect(String address) throws LogindUnavailableException {
    try {
      return new DbusLogind(DbusConnection.open(address, CALL_TIMEOUT), address);
    } catch (DbusException e) {
      throw new LogindUnavailableException(e.getMessage(), e);
    }
  }

  @Override
  public Duration inhibitDelayMax() throws LogindUnavailableException {
    try {
      Object v = bus.getProperty(NAME, PATH, MANAGER, "InhibitDelayMaxUSec", CALL_TIMEOUT);
      return Duration.ofNanos(((Number) v).longValue() * 1000);
    } catch (DbusException | ClassCastException e) {
      throw unavailable("reading logind's InhibitDelayMaxUSec", e);
    }
  }

  @Override
  public InhibitLock inhibitShutdownDelay(String who, String why)
      throws LogindUnavailableException {
    DbusMessage reply;
    try {
      reply =
          bus.call(
              DbusMessage.call(
                  NAME, PATH, MANAGER, "Inhibit", "ssss", "shutdown", who, why, "delay"),
              CALL_TIMEOUT);
    } catch (DbusException e) {
      throw unavailable("taking a delay inhibitor lock from logind", e);
    }
    if (!reply.signature().equals("h") || reply.fds().size() != 1) {
      reply.fds().forEach(DbusLogind::closeQuietly);
      throw new LogindUnavailableException(
          "logind answered Inhibit with signature '"
              + reply.signature()
              + "' and "
              + reply.fds().size()
              + " fds, expected one unix fd",
          null);
    }
    int fd = reply.fds().get((Integer) reply.body().get(0));
    AtomicBoolean held = new AtomicBoolean(true);
    return () -> {
      if (held.getAndSet(false)) {
        closeQuietly(fd);
      }
    };
  }

  @Override
  public void onPrepareForShutdown(Consumer<Boolean> handler) throws LogindUnavailableException {
    bus.onSignal(
        m -> {
          if (MANAGER.equals(m.iface())
              && "PrepareForShutdown".equals(m.member())
              && m.signature().equals("b")) {
            handler.accept((Boolean) m.body().get(0));
          }
        });
    try {
      bus.addMatch(
          "type='signal',sender='"
              + NAME
              + "',interface='"
              + MANAGER
              + "',member='PrepareForShutdown',path='"
              + PATH
              + "'",
          CALL_TIMEOUT);
    } catch (DbusException e) {
      throw unavailable("subscribing to PrepareForShutdown", e);
    }
  }

  private LogindUnavailableException unavailable(String what, Exception e) {
    return new LogindUnavailableException(what + " on " + address + ": " + e.getMessage(), e);
  }

  private static void closeQuietly(int fd) {
    try {
      UnixSocket.closeFd(fd);
    } catch (IOException e) {
      log.warn("releasing the inhibitor lock (fd {}): {}", fd, e.getMessage());
    }
  }

  @Override
  public void close() {
    bus.close();
  }
}
