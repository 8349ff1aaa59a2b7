package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.kuberuntime.ImageGcPolicy;
import io.berth.agent.pod.RuntimeHousekeeping;
import io.berth.cri.Image;
import io.berth.tests.fixtures.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * berth's image garbage collection on a real containerd, with thresholds that put any filesystem
 * over the high mark (1 %, down to 0 %) and a pass every second: images no container uses go once
 * they have been known for the minimum age; the image of a running pod and the runtime's sandbox
 * image stay, and the pod keeps running.
 */
class ImageGcIT {
  private static final String NODE = "berth-imagegc-node";
  private static final Duration MIN_AGE = Duration.ofSeconds(20);
  private static final String UNUSED_A = "berth.test/unused-a:1";
  private static final String UNUSED_B = "berth.test/unused-b:1";
  private static final Pattern REMOVED =
      Pattern.compile("berth_image_garbage_collected_total\\{reason=\"space\"} (\\S+)");

  @Test
  void unusedImagesGoWhileTheRunningPodsImageAndTheSandboxImageStay() throws Exception {
    RuntimeHousekeeping housekeeping =
        RuntimeHousekeeping.DEFAULTS.withImageGc(new ImageGcPolicy(1, 0, MIN_AGE, Duration.ZERO));
    RuntimeHousekeeping everySecond =
        new RuntimeHousekeeping(
            housekeeping.gcPolicy(),
            housekeeping.gcPeriod(),
            housekeeping.containerLogMaxSize(),
            housekeeping.containerLogMaxFiles(),
            housekeeping.logRotationPeriod(),
            housekeeping.imageGc(),
            Duration.ofSeconds(1));
    try (BerthOnContainerd berth =
        BerthOnContainerd.start(
            NODE,
            null,
            b -> {
              // known to berth from its first pass; the pod's image is in use well before the
              // minimum age has passed, the other two never are
              b.containerd.importImage(
                  TestImages.busybox(UNUSED_A).file("/a", 0644, "a\n").build());
              b.containerd.importImage(
                  TestImages.busybox(UNUSED_B).file("/b", 0644, "b\n").build());
              BerthPods.writeManifest(
                  b.manifests,
                  "app.yaml",
                  BerthPods.sleeperManifest("app", "Always", b.containerd.busyboxImage()));
            },
            s -> s.withRuntimeHousekeeping(everySecond))) {
      String podName = "app-" + NODE;
      berth.pods.await(
          Duration.ofSeconds(60), () -> berth.pods.pod(podName).filter(BerthPods::running));
      assertThat(tags(berth)).contains(UNUSED_A, UNUSED_B);

      berth.pods.await(
          MIN_AGE.plusSeconds(40),
          () ->
              Optional.of(tags(berth)).filter(t -> !t.contains(UNUSED_A) && !t.contains(UNUSED_B)));
      Thread.sleep(3000); // three more passes
      List<String> left = tags(berth);
      assertThat(left)
          .as("the running pod's image and the sandbox image stay")
          .contains(berth.containerd.busyboxImage(), berth.containerd.pauseImage());

      JsonNode pod = berth.pods.pod(podName).orElseThrow();
      assertThat(BerthPods.running(pod)).isTrue();
      assertThat(BerthPods.container(pod).path("restartCount").asInt()).isZero();

      Matcher m = REMOVED.matcher(berth.pods.get("/metrics"));
      assertThat(m.find()).as("berth_image_garbage_collected_total in /metrics").isTrue();
      assertThat(Double.parseDouble(m.group(1))).isEqualTo(2.0);
    }
  }

  private static List<String> tags(BerthOnContainerd berth) {
    return berth.cri.images().listImages().stream()
        .flatMap((Image i) -> i.repoTags().stream())
        .toList();
  }
}
