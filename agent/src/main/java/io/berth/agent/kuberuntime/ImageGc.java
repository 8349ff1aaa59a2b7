package io.berth.agent.kuberuntime;

import io.berth.cri.Image;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kubelet's image garbage collection (images/image_gc_manager.go) as decisions, without I/O: it
 * remembers when each image was first seen and last used, and turns one listing plus the image
 * filesystem's usage into what to remove.
 *
 * <ul>
 *   <li><b>Detection</b>: a new image is first detected now; an image a container refers to (any
 *       container, exited ones included) is last used now; images gone from the runtime are
 *       forgotten. Nothing survives a restart of berth, as in the kubelet.
 *   <li><b>Eligible</b>: not in use, not pinned by the runtime, in the order of last use, then of
 *       first detection.
 *   <li><b>By age</b> ({@link ImageGcPolicy#maxAge()} above zero, and only once berth has run that
 *       long): every eligible image unused for longer than the maximum age.
 *   <li><b>By space</b>: when the usage, {@code 100 - available·100/capacity} in whole percent, is
 *       at or above the high threshold, enough bytes to get down to the low threshold, {@code
 *       capacity·(100 - low)/100 - available}, taken from eligible images first detected at least
 *       {@link ImageGcPolicy#minAge()} ago.
 * </ul>
 *
 * <p>Not thread-safe: one collector thread.
 */
public final class ImageGc {
  /** What berth remembers of an image. */
  public record ImageRecord(Instant firstDetected, Instant lastUsed, long size, boolean pinned) {}

  /** An image the collection may remove, with its record. */
  public record Candidate(String id, ImageRecord record) {}

  /** The image filesystem: its size and what is left for unprivileged writers, in bytes. */
  public record FsUsage(long capacityBytes, long availableBytes) {
    /** The kubelet's usage figure: {@code 100 - available·100/capacity}, truncated. */
    public int usagePercent() {
      long available = Math.min(availableBytes, capacityBytes);
      return 100 - (int) (available * 100 / capacityBytes);
    }
  }

  /**
   * One collection's decisions.
   *
   * @param byAge images to remove for their age, all of them
   * @param bySpace images to remove in this order until {@code bytesToFree} are freed
   * @param bytesToFree zero when the usage is below the high threshold
   * @param usagePercent the image filesystem's usage when the plan was made
   */
  public record Plan(
      List<Candidate> byAge, List<Candidate> bySpace, long bytesToFree, int usagePercent) {
    public Plan {
      byAge = List.copyOf(byAge);
      bySpace = List.copyOf(bySpace);
    }
  }

  private static final Comparator<Candidate> EVICTION_ORDER =
      Comparator.comparing((Candidate c) -> c.record().lastUsed())
          .thenComparing(c -> c.record().firstDetected());

  private final ImageGcPolicy policy;
  private final Instant began;
  private final Map<String, ImageRecord> records = new HashMap<>();

  /**
   * @param began when berth's image GC started (images older than the maximum age are only removed
   *     once berth itself has run that long)
   */
  public ImageGc(ImageGcPolicy policy, Instant began) {
    this.policy = policy;
    this.began = began;
  }

  /**
   * Records one listing of the runtime's images.
   *
   * @param inUse image ids referred to by any container, and the sandbox image
   */
  public void detect(List<Image> images, Set<String> inUse, Instant now) {
    Set<String> present = new HashSet<>();
    for (Image image : images) {
      present.add(image.id());
      ImageRecord old = records.get(image.id());
      Instant firstDetected = old == null ? now : old.firstDetected();
      Instant lastUsed =
          inUse.contains(image.id()) ? now : old == null ? Instant.EPOCH : old.lastUsed();
      records.put(
          image.id(), new ImageRecord(firstDetected, lastUsed, image.size(), image.pinned()));
    }
    records.keySet().retainAll(present);
  }

  /** What to remove now, given the images in use (as passed to the last detection). */
  public Plan plan(Set<String> inUse, FsUsage fs, Instant now) {
    List<Candidate> eligible = new ArrayList<>();
    records.forEach(
        (id, r) -> {
          if (!inUse.contains(id) && !r.pinned()) {
            eligible.add(new Candidate(id, r));
          }
        });
    eligible.sort(EVICTION_ORDER);

    List<Candidate> byAge = new ArrayList<>();
    Duration maxAge = policy.maxAge();
    if (!maxAge.isZero() && Duration.between(began, now).compareTo(maxAge) > 0) {
      for (Candidate c : eligible) {
        if (Duration.between(c.record().lastUsed(), now).compareTo(maxAge) > 0) {
          byAge.add(c);
        }
      }
      eligible.removeAll(byAge);
    }

    int usage = fs.usagePercent();
    if (!policy.spaceBased() || usage < policy.highThresholdPercent()) {
      return new Plan(byAge, List.of(), 0, usage);
    }
    long available = Math.min(fs.availableBytes(), fs.capacityBytes());
    long bytesToFree = fs.capacityBytes() * (100 - policy.lowThresholdPercent()) / 100 - available;
    List<Candidate> bySpace = new ArrayList<>();
    for (Candidate c : eligible) {
      if (Duration.between(c.record().firstDetected(), now).compareTo(policy.minAge()) >= 0) {
        bySpace.add(c);
      }
    }
    return new Plan(byAge, bySpace, Math.max(0, bytesToFree), usage);
  }

  /** Forgets an image that was removed. */
  public void removed(String id) {
    records.remove(id);
  }

  /** The records, for tests and diagnostics. */
  public Map<String, ImageRecord> records() {
    return Map.copyOf(records);
  }
}
