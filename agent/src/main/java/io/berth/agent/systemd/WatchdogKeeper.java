package io.berth.agent.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings systemd's watchdog every half interval, but only while the sync loop's heartbeat is fresh:
 * a stuck loop stops the pings, and systemd restarts berth after {@code WatchdogSec}.
 *
 * <p>"Fresh" means the loop beat within one watchdog interval. The kubelet's sync loop iterates at
 * least every second (its housekeeping), so a healthy loop is always well inside it.
 */
public final class WatchdogKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WatchdogKeeper.class);

  private final SdNotifier notifier;
  private final Heartbeat heartbeat;
  private final Duration interval;
  private ScheduledFuture<?> task;
  private boolean warnedStale;

  public WatchdogKeeper(SdNotifier notifier, Heartbeat heartbeat, Duration interval) {
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("watchdog interval must be positive, got " + interval);
    }
    this.notifier = notifier;
    this.heartbeat = heartbeat;
    this.interval = interval;
  }

  /**
   * The watchdog interval systemd asked for ({@code $WATCHDOG_USEC}), if it is meant for this
   * process ({@code $WATCHDOG_PID} unset or equal to {@code pid}), as sd_watchdog_enabled(3) says.
   */
  public static Optional<Duration> intervalFromEnvironment(Map<String, String> env, long pid) {
    String usec = env.get("WATCHDOG_USEC");
    if (usec == null || usec.isBlank()) {
      return Optional.empty();
    }
    String forPid = env.get("WATCHDOG_PID");
    if (forPid != null && !forPid.isBlank() && !forPid.trim().equals(Long.toString(pid))) {
      return Optional.empty();
    }
    try {
      long micros = Long.parseLong(usec.trim());
      return micros > 0 ? Optional.of(Duration.ofNanos(micros * 1_000)) : Optional.empty();
    } catch (NumberFormatException e) {
      log.warn("ignoring WATCHDOG_USEC={}: not a number of microseconds", usec);
      return Optional.empty();
    }
  }

  public Duration pingPeriod() {
    return interval.dividedBy(2);
  }

  /** Schedules {@link #tick()} every half interval on {@code scheduler}. */
  public synchronized void start(ScheduledExecutorService scheduler) {
    long period = pingPeriod().toNanos();
    task = scheduler.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.NANOSECONDS);
  }

  /** One watchdog decision: ping if the loop is alive; returns whether it pinged. */
  public boolean tick() {
    if (heartbeat.freshWithin(interval)) {
      if (warnedStale) {
        log.info("sync loop is beating again; resuming watchdog pings");
        warnedStale = false;
      }
      notifier.watchdog();
      return true;
    }
    if (!warnedStale) {
      log.error(
          "sync loop has not beaten since {} (watchdog interval {}); withholding WATCHDOG=1 so"
              + " systemd restarts berth",
          heartbeat.last(),
          interval);
      warnedStale = true;
    }
    return false;
  }

  @Override
  public synchronized void close() {
    if (task != null) {
      task.cancel(false);
    }
  }
}
