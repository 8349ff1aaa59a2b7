package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.agent.testing.FakeClock;
import io.berth.cri.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** flowcontrol's backoff_test.go scenarios plus the kubelet's crash-loop and image-pull use. */
class BackoffTest {
  final FakeClock clock = new FakeClock(T0);

  @Test
  void slowBackoffDoublesToTheMaximum() {
    var b =
        new Backoff<String>(
            clock, Duration.ofSeconds(10), Duration.ofSeconds(300), Backoff.ExpiryPolicy.TWICE_MAX);
    List<Long> seen = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      b.next("k", clock.instant());
      seen.add(b.get("k").toSeconds());
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(seen).containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L);
  }

  @Test
  void isInBackOffSinceTheEvent() {
    var b =
        new Backoff<String>(
            clock, Duration.ofSeconds(1), Duration.ofSeconds(5), Backoff.ExpiryPolicy.TWICE_MAX);
    Instant event = clock.instant();
    assertThat(b.isInBackOffSince("k", event)).isFalse();
    b.next("k", event);
    assertThat(b.isInBackOffSince("k", event)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(b.isInBackOffSince("k", event)).isFalse();
    b.next("k", clock.instant()); // 2 s
    assertThat(b.isInBackOffSinceUpdate("k", clock.instant().plusSeconds(1))).isTrue();
    assertThat(b.isInBackOffSinceUpdate("k", clock.instant().plusSeconds(2))).isFalse();
  }

  @Test
  void expiredEntriesStartOverAndAreCollected() {
    var b =
        new Backoff<String>(
            clock, Duration.ofSeconds(1), Duration.ofSeconds(5), Backoff.ExpiryPolicy.TWICE_MAX);
    b.next("k", clock.instant());
    b.next("k", clock.instant());
    assertThat(b.get("k")).isEqualTo(Duration.ofSeconds(2));
    clock.advance(Duration.ofSeconds(11)); // > 2 × max since the last update
    b.next("k", clock.instant());
    assertThat(b.get("k")).isEqualTo(Duration.ofSeconds(1));
    b.next("other", clock.instant());
    clock.advance(Duration.ofSeconds(10));
    b.gc();
    assertThat(b.size()).isEqualTo(2);
    clock.advance(Duration.ofSeconds(1));
    b.gc();
    assertThat(b.size()).isZero();
  }

  @Test
  void goDurations() {
    assertThat(Backoff.goDuration(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(Backoff.goDuration(Duration.ofSeconds(160))).isEqualTo("2m40s");
    assertThat(Backoff.goDuration(Duration.ofSeconds(300))).isEqualTo("5m0s");
    assertThat(Backoff.goDuration(Duration.ofSeconds(3720))).isEqualTo("1h2m0s");
  }

  /** One crash loop, as the pod worker drives it: exit, check, start, exit again ... */
  @Test
  void crashLoopBackOff() {
    var crash = new CrashLoopBackoff(clock, HASH);
    Pod pod = basicPod();
    var spec = pod.getSpec().getContainers().get(0);
    // started at T0, exits immediately at T0
    ObservedPod exited = exitedAt(pod, clock.instant());
    assertThat(crash.check(pod, spec, exited)).isInstanceOf(CrashLoopBackoff.Decision.Start.class);
    // exits again right after: 10 s back-off from the exit
    clock.advance(Duration.ofSeconds(1));
    exited = exitedAt(pod, clock.instant());
    var d = crash.check(pod, spec, exited);
    assertThat(d)
        .isEqualTo(
            new CrashLoopBackoff.Decision.Wait(
                Duration.ofSeconds(10),
                "back-off 10s restarting failed container=foo1 pod=foo_new(" + UID + ")"));
    assertThat(((CrashLoopBackoff.Decision.Wait) d).reason()).isEqualTo("CrashLoopBackOff");
    clock.advance(Duration.ofSeconds(10));
    assertThat(crash.check(pod, spec, exited)).isInstanceOf(CrashLoopBackoff.Decision.Start.class);
    clock.advance(Duration.ofSeconds(1));
    exited = exitedAt(pod, clock.instant());
    assertThat(crash.check(pod, spec, exited))
        .isEqualTo(
            new CrashLoopBackoff.Decision.Wait(
                Duration.ofSeconds(20),
                "back-off 20s restarting failed container=foo1 pod=foo_new(" + UID + ")"));
    clock.advance(Duration.ofSeconds(20));
    assertThat(crash.check(pod, spec, exited)).isInstanceOf(CrashLoopBackoff.Decision.Start.class);
    // now it runs for more than 10 minutes before exiting: the back-off starts over at 10 s
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    exited = exitedAt(pod, clock.instant());
    assertThat(crash.check(pod, spec, exited)).isInstanceOf(CrashLoopBackoff.Decision.Start.class);
    clock.advance(Duration.ofSeconds(1));
    exited = exitedAt(pod, clock.instant());
    assertThat(crash.check(pod, spec, exited))
        .isInstanceOfSatisfying(
            CrashLoopBackoff.Decision.Wait.class,
            w -> assertThat(w.backoff()).isEqualTo(Duration.ofSeconds(10)));
    // a changed spec has its own key: no back-off
    var changed = new ContainerBuilder(spec).withImage("busybox:1.37").build();
    assertThat(crash.check(pod, changed, exited))
        .isInstanceOf(CrashLoopBackoff.Decision.Start.class);
  }

  @Test
  void neverExitedMeansNoBackOff() {
    var crash = new CrashLoopBackoff(clock, HASH);
    Pod pod = basicPod();
    assertThat(crash.check(pod, pod.getSpec().getContainers().get(0), allRunning(pod)))
        .isInstanceOf(CrashLoopBackoff.Decision.Start.class);
    assertThat(crash.check(pod, pod.getSpec().getContainers().get(0), ObservedPod.empty(UID)))
        .isInstanceOf(CrashLoopBackoff.Decision.Start.class);
  }

  private static ObservedPod exitedAt(Pod pod, Instant finished) {
    var c = running(pod.getSpec().getContainers().get(0), 0);
    var exited =
        new ObservedPod.Container(
            c.id(),
            c.name(),
            c.sandboxId(),
            ContainerState.EXITED,
            1,
            "Error",
            "",
            c.hash(),
            0,
            finished.minusSeconds(1),
            finished.minusSeconds(1),
            finished,
            c.image(),
            c.imageRef());
    return new ObservedPod(UID, List.of(readySandbox(0)), List.of(exited));
  }

  @Test
  void imagePullPolicyAndBackOff() {
    var pulls = new ImagePulls(clock);
    Pod pod = basicPod(); // busybox:1.36 → IfNotPresent
    var c = pod.getSpec().getContainers().get(0);
    assertThat(pulls.plan(pod, c, Optional.of("sha256:1")))
        .isEqualTo(
            new ImagePulls.Plan.UsePresent(
                "sha256:1", "Container image \"busybox:1.36\" already present on machine"));
    assertThat(pulls.plan(pod, c, Optional.empty()))
        .isEqualTo(new ImagePulls.Plan.Pull("busybox:1.36"));
    var always = new ContainerBuilder(c).withImage("busybox").withImagePullPolicy(null).build();
    assertThat(ImagePulls.pullPolicy(always)).isEqualTo("Always");
    assertThat(pulls.plan(pod, always, Optional.of("sha256:1")))
        .isInstanceOf(ImagePulls.Plan.Pull.class);
    var never = new ContainerBuilder(c).withImagePullPolicy("Never").build();
    assertThat(pulls.plan(pod, never, Optional.empty()))
        .isEqualTo(
            new ImagePulls.Plan.Fail(
                "ErrImageNeverPull",
                "Container image \"busybox:1.36\" is not present with pull policy of Never"));

    assertThat(pulls.pullFailed(pod, c, "no route to registry"))
        .isEqualTo(
            new ImagePulls.Plan.Fail(
                "ErrImagePull", "Failed to pull image \"busybox:1.36\": no route to registry"));
    assertThat(pulls.plan(pod, c, Optional.empty()))
        .isEqualTo(
            new ImagePulls.Plan.Fail(
                "ImagePullBackOff", "Back-off pulling image \"busybox:1.36\""));
    clock.advance(Duration.ofSeconds(10));
    assertThat(pulls.plan(pod, c, Optional.empty())).isInstanceOf(ImagePulls.Plan.Pull.class);
    pulls.pullFailed(pod, c, "again");
    clock.advance(Duration.ofSeconds(19));
    assertThat(pulls.plan(pod, c, Optional.empty())).isInstanceOf(ImagePulls.Plan.Fail.class);
    clock.advance(Duration.ofSeconds(1));
    assertThat(pulls.plan(pod, c, Optional.empty())).isInstanceOf(ImagePulls.Plan.Pull.class);
  }
}
