package io.berth.metrics.cgroup;

import io.berth.metrics.stats.SpecLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The static part of a cgroup (limits, shares, quota/period, {@code pids.max}), kept per cgroup
 * path so a scrape does not re-read files that only change when the cgroup is reconfigured.
 *
 * <p>Invalidation: a container that is replaced gets a new id and so a new cgroup path, which
 * misses the cache and is read fresh; an entry older than {@code maxAge} (60 s by default) is read
 * again, which bounds how long an in-place update (a pod resize) stays unseen, as cAdvisor's
 * housekeeping does for its spec. Entries not used for {@code maxAge} are dropped on the next
 * insertion, so removed cgroups do not accumulate.
 *
 * <p>Thread safety: safe for concurrent readers; two readers missing the same path at once may both
 * read it (the last one wins, both values are current).
 */
public final class CgroupSpecCache {
  /** How long cached limits are trusted by default. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(60);

  /**
   * The static values of one cgroup.
   *
   * @param spec the configured limits
   * @param pidsMax {@code pids.max}, {@code 0} for "max" (cAdvisor's "infinity"), empty if absent
   */
  public record Static(SpecLimits spec, OptionalLong pidsMax) {}

  private record Entry(Static value, Instant readAt) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration maxAge;

  /**
   * @param clock decides an entry's age
   * @param maxAge how long an entry is reused; {@link Duration#ZERO} disables the cache
   */
  public CgroupSpecCache(Clock clock, Duration maxAge) {
    this.clock = clock;
    this.maxAge = maxAge;
  }

  /** The cached value for {@code cgroupPath}, reading it with {@code read} when missing or old. */
  Static get(String cgroupPath, Function<String, Static> read) {
    Instant now = clock.instant();
    Entry known = entries.get(cgroupPath);
    if (known != null && fresh(known, now)) {
      return known.value();
    }
    Static value = read.apply(cgroupPath);
    if (maxAge.isPositive()) {
      if (known == null) {
        entries.values().removeIf(e -> !fresh(e, now));
      }
      entries.put(cgroupPath, new Entry(value, now));
    }
    return value;
  }

  /** Forgets every entry (e.g. when the caller knows the container set changed). */
  public void clear() {
    entries.clear();
  }

  /** Number of cgroups cached now. */
  public int size() {
    return entries.size();
  }

  private boolean fresh(Entry e, Instant now) {
    Duration age = Duration.between(e.readAt(), now);
    return !age.isNegative() && age.compareTo(maxAge) < 0;
  }
}
