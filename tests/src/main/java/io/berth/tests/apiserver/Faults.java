package io.berth.tests.apiserver;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Fault injection for tests: fail the next N requests with a status code, stall requests, cut open
 * watch streams (cleanly between events or in the middle of one). Thread-safe.
 */
public final class Faults {
  /** What a request looks like to a fault filter. */
  public record Request(String method, String path, String query, boolean watch) {}

  private final AtomicInteger failRemaining = new AtomicInteger();
  private volatile int failCode;
  private volatile Predicate<Request> failFilter = r -> true;
  private final AtomicInteger stallRemaining = new AtomicInteger();
  private final AtomicLong stallMillis = new AtomicLong();
  private final Set<WatchStream> watches = ConcurrentHashMap.newKeySet();

  /** The next {@code count} requests that match {@code filter} get a Status with {@code code}. */
  public void failNext(int count, int code, Predicate<Request> filter) {
    this.failCode = code;
    this.failFilter = filter;
    failRemaining.set(count);
  }

  /** The next {@code count} requests of any kind get a Status with {@code code}. */
  public void failNext(int count, int code) {
    failNext(count, code, r -> true);
  }

  /** The next {@code count} requests are answered only after {@code delay}. */
  public void stallNext(int count, Duration delay) {
    stallMillis.set(delay.toMillis());
    stallRemaining.set(count);
  }

  /** Closes every open watch connection abruptly (no terminating chunk). */
  public void dropWatches() {
    watches.forEach(WatchStream::abort);
  }

  /** Each open watch is cut after writing half of its next event. */
  public void cutWatchesMidEvent() {
    watches.forEach(WatchStream::cutNextEvent);
  }

  /** Open watch streams right now. */
  public int openWatches() {
    return watches.size();
  }

  /** Open watch streams of one resource (e.g. {@link ApiResources#SECRETS}) right now. */
  public int openWatches(ApiResource resource) {
    return (int) watches.stream().filter(w -> w.resource().equals(resource)).count();
  }

  /** Clears pending failures and stalls. */
  public void clear() {
    failRemaining.set(0);
    stallRemaining.set(0);
  }

  Integer failureFor(Request request) {
    if (failRemaining.get() > 0 && failFilter.test(request)) {
      if (failRemaining.getAndDecrement() > 0) {
        return failCode;
      }
    }
    return null;
  }

  long stallFor() {
    if (stallRemaining.get() > 0 && stallRemaining.getAndDecrement() > 0) {
      return stallMillis.get();
    }
    return 0;
  }

  void opened(WatchStream w) {
    watches.add(w);
  }

  void closed(WatchStream w) {
    watches.remove(w);
  }
}
