package io.berth.agent.kuberuntime;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The kubelet's image manager decisions ({@code EnsureImageExists}): pull policy (Always,
 * IfNotPresent, Never; defaulted from the tag when unset) and the image pull back-off, 10 s
 * doubling to 5 min per (pod uid, image), with the waiting reasons {@code ErrImagePull}, {@code
 * ImagePullBackOff} and {@code ErrImageNeverPull}.
 *
 * <pre>{@code
 * switch (pulls.plan(pod, c, imageService.imageStatus(c.getImage()).map(Image::id))) {
 *   case UsePresent p -> start with p.imageRef()
 *   case Pull p -> try { ref = imageService.pull(...) } catch (CriException e) { fail = pulls.pullFailed(pod, c, e.getMessage()) }
 *   case Fail f -> report f.reason() / f.message() as the container's waiting state
 * }
 * }</pre>
 */
public final class ImagePulls {
  public static final String ERR_IMAGE_PULL = "ErrImagePull";
  public static final String IMAGE_PULL_BACK_OFF = "ImagePullBackOff";
  public static final String ERR_IMAGE_NEVER_PULL = "ErrImageNeverPull";
  public static final Duration INITIAL = Duration.ofSeconds(10);
  public static final Duration MAX = Duration.ofMinutes(5);

  /** The back-off key: the kubelet's {@code <pod uid>_<image>}. */
  public record Key(String podUid, String image) {}

  /** What to do about a container's image. */
  public sealed interface Plan {
    /** The image is there and need not be pulled. */
    record UsePresent(String imageRef, String message) implements Plan {}

    /** Pull it now. */
    record Pull(String image) implements Plan {}

    /** Do not start the container; show {@code reason} and {@code message}. */
    record Fail(String reason, String message) implements Plan {}
  }

  private final Backoff<Key> backoff;

  public ImagePulls(Clock clock) {
    this(new Backoff<>(clock, INITIAL, MAX, Backoff.ExpiryPolicy.TWICE_MAX));
  }

  public ImagePulls(Backoff<Key> backoff) {
    this.backoff = backoff;
  }

  /** The container's pull policy, defaulted as the API server would when unset. */
  public static String pullPolicy(Container c) {
    String p = c.getImagePullPolicy();
    return p == null || p.isEmpty() ? PodDefaults.defaultPullPolicy(image(c)) : p;
  }

  /**
   * The plan for {@code container}'s image.
   *
   * @param presentRef the image's id/ref when the runtime has it, empty otherwise
   */
  public Plan plan(Pod pod, Container container, Optional<String> presentRef) {
    String image = image(container);
    boolean present = presentRef.isPresent() && !presentRef.get().isEmpty();
    boolean pull =
        switch (pullPolicy(container)) {
          case PodDefaults.PULL_NEVER -> false;
          case PodDefaults.PULL_IF_NOT_PRESENT -> !present;
          default -> true; // Always
        };
    if (!pull) {
      if (present) {
        return new Plan.UsePresent(
            presentRef.get(), "Container image \"" + image + "\" already present on machine");
      }
      return new Plan.Fail(
          ERR_IMAGE_NEVER_PULL,
          "Container image \"" + image + "\" is not present with pull policy of Never");
    }
    Key key = new Key(pod.getMetadata().getUid(), image);
    if (backoff.isInBackOffSinceUpdate(key, backoff.clock().instant())) {
      return new Plan.Fail(IMAGE_PULL_BACK_OFF, "Back-off pulling image \"" + image + "\"");
    }
    return new Plan.Pull(image);
  }

  /** Records a failed pull (advances the back-off) and returns the {@code ErrImagePull} failure. */
  public Plan.Fail pullFailed(Pod pod, Container container, String error) {
    String image = image(container);
    backoff.next(new Key(pod.getMetadata().getUid(), image), backoff.clock().instant());
    return new Plan.Fail(ERR_IMAGE_PULL, "Failed to pull image \"" + image + "\": " + error);
  }

  /** Drops expired entries (housekeeping). */
  public void gc() {
    backoff.gc();
  }

  private static String image(Container c) {
    return c.getImage() == null ? "" : c.getImage();
  }
}
