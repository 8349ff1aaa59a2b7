package io.berth.agent.kuberuntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.Image;
import io.berth.cri.ImageSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageGcTest {
  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
  private static final long GIB = 1L << 30;

  /** 100 GiB, 10 GiB available: usage 90 %. */
  private static final ImageGc.FsUsage AT_90 = new ImageGc.FsUsage(100 * GIB, 10 * GIB);

  private static Image image(String id, long size) {
    return new Image(id, List.of(id + ":tag"), List.of(), size, 0L, "", ImageSpec.of(id), false);
  }

  private static Image pinned(String id, long size) {
    return new Image(id, List.of(), List.of(), size, 0L, "", ImageSpec.of(id), true);
  }

  private static List<String> ids(List<ImageGc.Candidate> cs) {
    return cs.stream().map(ImageGc.Candidate::id).toList();
  }

  @Test
  void usageIsTheKubeletsTruncatedPercentage() {
    assertThat(AT_90.usagePercent()).isEqualTo(90);
    assertThat(new ImageGc.FsUsage(1000, 999).usagePercent()).isEqualTo(1); // 99.9 % free → 99
    assertThat(new ImageGc.FsUsage(1000, 1000).usagePercent()).isZero();
    assertThat(new ImageGc.FsUsage(1000, 5000).usagePercent()).as("available clamped").isZero();
  }

  @Test
  void belowTheHighThresholdNothingIsRemovedForSpace() {
    ImageGc gc = new ImageGc(ImageGcPolicy.DEFAULTS, T0);
    gc.detect(List.of(image("a", GIB)), Set.of(), T0);
    ImageGc.Plan plan =
        gc.plan(Set.of(), new ImageGc.FsUsage(100 * GIB, 16 * GIB), T0.plusSeconds(3600));
    assertThat(plan.usagePercent()).isEqualTo(84);
    assertThat(plan.bytesToFree()).isZero();
    assertThat(plan.bySpace()).isEmpty();
    assertThat(plan.byAge()).isEmpty();
  }

  @Test
  void atTheHighThresholdItFreesDownToTheLowOneLeastRecentlyUsedFirst() {
    ImageGc gc = new ImageGc(ImageGcPolicy.DEFAULTS, T0);
    // "old" and "older" were used by containers once, "never" never; "busy" is in use now
    gc.detect(
        List.of(image("never", GIB), image("older", GIB), image("old", GIB), image("busy", GIB)),
        Set.of("older", "old", "busy"),
        T0);
    gc.detect(
        List.of(image("never", GIB), image("older", GIB), image("old", GIB), image("busy", GIB)),
        Set.of("old", "busy"),
        T0.plusSeconds(60));
    Instant now = T0.plusSeconds(600);
    gc.detect(
        List.of(image("never", GIB), image("older", GIB), image("old", GIB), image("busy", GIB)),
        Set.of("busy"),
        now);

    ImageGc.Plan plan = gc.plan(Set.of("busy"), AT_90, now);
    // capacity·(100-80)/100 - available = 20 GiB - 10 GiB
    assertThat(plan.bytesToFree()).isEqualTo(10 * GIB);
    assertThat(ids(plan.bySpace()))
        .as("never used, then used longest ago; the image in use is not a candidate")
        .containsExactly("never", "older", "old");
  }

  @Test
  void imagesFirstSeenWithinTheMinimumAgeAndPinnedImagesStay() {
    ImageGc gc = new ImageGc(ImageGcPolicy.DEFAULTS, T0);
    gc.detect(List.of(image("early", GIB), pinned("pause", GIB)), Set.of(), T0);
    Instant now = T0.plusSeconds(150);
    gc.detect(
        List.of(image("early", GIB), pinned("pause", GIB), image("fresh", GIB)), Set.of(), now);
    assertThat(gc.records().get("fresh").firstDetected()).isEqualTo(now);

    assertThat(ids(gc.plan(Set.of(), AT_90, now).bySpace()))
        .as("fresh was first seen 0 s ago (< 2 min), pause is pinned")
        .containsExactly("early");
    assertThat(ids(gc.plan(Set.of(), AT_90, now.plus(Duration.ofMinutes(2))).bySpace()))
        .containsExactly("early", "fresh");
  }

  @Test
  void imagesGoneFromTheRuntimeAreForgotten() {
    ImageGc gc = new ImageGc(ImageGcPolicy.DEFAULTS, T0);
    gc.detect(List.of(image("a", GIB), image("b", GIB)), Set.of(), T0);
    gc.detect(List.of(image("b", GIB)), Set.of(), T0.plusSeconds(1));
    assertThat(gc.records()).containsOnlyKeys("b");
    gc.removed("b");
    assertThat(gc.records()).isEmpty();
  }

  @Test
  void theMaximumAgeRemovesUnusedImagesWhateverTheUsageOnceBerthHasRunThatLong() {
    ImageGcPolicy policy = new ImageGcPolicy(85, 80, Duration.ofMinutes(2), Duration.ofHours(1));
    ImageGc gc = new ImageGc(policy, T0);
    gc.detect(List.of(image("stale", GIB), image("used", GIB)), Set.of("used"), T0);
    ImageGc.FsUsage quiet = new ImageGc.FsUsage(100 * GIB, 90 * GIB);

    Instant early = T0.plus(Duration.ofMinutes(59));
    gc.detect(List.of(image("stale", GIB), image("used", GIB)), Set.of("used"), early);
    assertThat(gc.plan(Set.of("used"), quiet, early).byAge())
        .as("not before berth has run for the maximum age")
        .isEmpty();

    Instant later = T0.plus(Duration.ofMinutes(90));
    gc.detect(List.of(image("stale", GIB), image("used", GIB)), Set.of(), later);
    ImageGc.Plan plan = gc.plan(Set.of(), quiet, later);
    assertThat(ids(plan.byAge()))
        .as("never used (stale); used 31 min ago (used) stays")
        .containsExactly("stale");
    assertThat(plan.bytesToFree()).isZero();
  }

  @Test
  void aHundredPercentThresholdTurnsTheSpaceCollectionOff() {
    ImageGc gc = new ImageGc(new ImageGcPolicy(100, 80, Duration.ZERO, Duration.ZERO), T0);
    gc.detect(List.of(image("a", GIB)), Set.of(), T0);
    assertThat(gc.plan(Set.of(), new ImageGc.FsUsage(100, 0), T0).bySpace()).isEmpty();
  }

  @Test
  void thePolicyIsCheckedAsTheKubeletChecksIt() {
    assertThatThrownBy(() -> new ImageGcPolicy(80, 80, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("must be less than imageGCHighThresholdPercent");
    assertThatThrownBy(() -> new ImageGcPolicy(101, 80, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("between 0 and 100");
    assertThatThrownBy(
            () -> new ImageGcPolicy(85, 80, Duration.ofMinutes(10), Duration.ofMinutes(5)))
        .hasMessageContaining("imageMaximumGCAge");
  }
}
