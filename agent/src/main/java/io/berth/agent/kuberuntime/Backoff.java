package io.berth.agent.kuberuntime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-key exponential back-off, the kubelet's {@code flowcontrol.Backoff} (without jitter): the
 * first {@link #next} starts at {@code initial}, each further one doubles up to {@code max}; an
 * entry whose last update has {@linkplain ExpiryPolicy expired} starts over and is dropped by
 * {@link #gc}.
 *
 * <p>Thread-safe. Time comes from the injected {@link Clock}.
 *
 * @param <K> the key (e.g. {@link CrashLoopBackoff.Key})
 */
public final class Backoff<K> {
  /** When an entry is stale: {@code eventTime - lastUpdate} is too large. */
  @FunctionalInterface
  public interface ExpiryPolicy {
    boolean hasExpired(Instant eventTime, Instant lastUpdate, Duration max);

    /** flowcontrol's default: older than twice the maximum. */
    ExpiryPolicy TWICE_MAX =
        (event, last, max) -> Duration.between(last, event).compareTo(max.multipliedBy(2)) > 0;

    /** Expired when more than {@code d} passed since the last update. */
    static ExpiryPolicy after(Duration d) {
      return (event, last, max) -> Duration.between(last, event).compareTo(d) > 0;
    }
  }

  private record Entry(Duration backoff, Instant lastUpdate) {}

  private final Clock clock;
  private final Duration initial;
  private final Duration max;
  private final ExpiryPolicy expiry;
  private final Map<K, Entry> entries = new HashMap<>();

  public Backoff(Clock clock, Duration initial, Duration max, ExpiryPolicy expiry) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "back-off needs 0 < initial ≤ max, got initial " + initial + ", max " + max);
    }
    this.clock = clock;
    this.initial = initial;
    this.max = max;
    this.expiry = expiry;
  }

  public Clock clock() {
    return clock;
  }

  /** The current back-off of {@code key}, zero when it has none. */
  public synchronized Duration get(K key) {
    Entry e = entries.get(key);
    return e == null ? Duration.ZERO : e.backoff();
  }

  /** Moves {@code key} to its next back-off (initial when new or expired at {@code eventTime}). */
  public synchronized void next(K key, Instant eventTime) {
    Entry e = entries.get(key);
    Duration d;
    if (e == null || expiry.hasExpired(eventTime, e.lastUpdate(), max)) {
      d = initial;
    } else {
      Duration doubled = e.backoff().multipliedBy(2);
      d = doubled.compareTo(max) > 0 ? max : doubled;
    }
    entries.put(key, new Entry(d, clock.instant()));
  }

  /** Whether less than the current back-off has passed from {@code eventTime} until now. */
  public synchronized boolean isInBackOffSince(K key, Instant eventTime) {
    Entry e = entries.get(key);
    if (e == null || expiry.hasExpired(eventTime, e.lastUpdate(), max)) {
      return false;
    }
    return Duration.between(eventTime, clock.instant()).compareTo(e.backoff()) < 0;
  }

  /** Whether {@code eventTime} is less than the current back-off after the last update. */
  public synchronized boolean isInBackOffSinceUpdate(K key, Instant eventTime) {
    Entry e = entries.get(key);
    if (e == null || expiry.hasExpired(eventTime, e.lastUpdate(), max)) {
      return false;
    }
    return Duration.between(e.lastUpdate(), eventTime).compareTo(e.backoff()) < 0;
  }

  /** Forgets {@code key}. */
  public synchronized void reset(K key) {
    entries.remove(key);
  }

  /** Drops the entries that have expired by now; call it periodically (housekeeping). */
  public synchronized void gc() {
    Instant now = clock.instant();
    entries.values().removeIf(e -> expiry.hasExpired(now, e.lastUpdate(), max));
  }

  synchronized int size() {
    return entries.size();
  }

  /**
   * Go's {@code time.Duration.String()} for whole seconds: {@code 10s}, {@code 2m40s}, {@code
   * 5m0s}.
   */
  static String goDuration(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    return (h > 0 ? h + "h" + m + "m" : m + "m") + sec + "s";
  }
}
