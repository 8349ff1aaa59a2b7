package io.berth.agent.shutdown;

import java.time.Duration;
import java.util.function.Consumer;

/** The parts of systemd-logind ({@code org.freedesktop.login1.Manager}) the node needs. */
public interface Logind extends AutoCloseable {

  /** {@code InhibitDelayMaxUSec}: the longest a delay lock may hold a shutdown back. */
  Duration inhibitDelayMax() throws LogindUnavailableException;

  /** Takes a {@code delay} inhibitor lock on {@code shutdown}. */
  InhibitLock inhibitShutdownDelay(String who, String why) throws LogindUnavailableException;

  /** Calls {@code handler} with each {@code PrepareForShutdown(active)} signal. */
  void onPrepareForShutdown(Consumer<Boolean> handler) throws LogindUnavailableException;

  @Override
  void close();

  /** Connects to logind. */
  @FunctionalInterface
  interface Connector {
    Logind connect() throws LogindUnavailableException;
  }
}
