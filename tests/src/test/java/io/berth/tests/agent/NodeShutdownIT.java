package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.logging.LogSettings;
import io.berth.agent.shutdown.NodeShutdownSettings;
import io.berth.cri.ContainerStatus;
import io.berth.tests.fixtures.FakeLogind;
import io.berth.tests.fixtures.PrivateDbusDaemon;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Graceful node shutdown end to end: berth on a private containerd holds a delay inhibitor lock
 * from logind (a test double on a private {@code dbus-daemon}: this machine has no logind); when
 * logind announces the shutdown, berth stops ordinary pods within their share of the grace period,
 * critical pods after them within theirs, marks them as the kubelet does, refuses new pods and
 * releases the lock within the whole grace period.
 */
class NodeShutdownIT {
  private static final String NODE = "berth-shutdown-node";

  /** shutdownGracePeriod 10 s, of it 4 s for critical pods: ordinary pods get 6 s. */
  private static final Duration GRACE = Duration.ofSeconds(10);

  private static final Duration CRITICAL = Duration.ofSeconds(4);

  /**
   * How late a step may come: the kubelet's e2e node shutdown test allows a whole polling period
   * and more; here runtime calls, status polling and a loaded 2-core machine.
   */
  private static final Duration SLACK = Duration.ofSeconds(4);

  private static String pod(String name, String extra, String command, String image) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
        spec:
        %s  containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: %s
        """
        .formatted(name, extra, image, command);
  }

  /** When the pod's container exited, as the runtime recorded it (waits for the exit). */
  private static Instant finishedAt(BerthOnContainerd b, JsonNode pod) throws Exception {
    return b.pods.await(
        SLACK,
        () -> {
          ContainerStatus s = b.cri.runtime().containerStatus(BerthPods.containerId(pod), false);
          System.out.println(
              "DEBUG " + Instant.now() + " " + s.id() + " " + s.state() + " " + s.finishedAt());
          return Optional.ofNullable(s.finishedAt());
        });
  }

  @Test
  void podsStopInPriorityOrderWithinTheGracePeriodThenTheLockIsReleased() throws Exception {
    try (PrivateDbusDaemon daemon = PrivateDbusDaemon.start();
        FakeLogind logind = FakeLogind.start(daemon.address(), Duration.ofSeconds(30));
        BerthOnContainerd berth =
            BerthOnContainerd.start(
                NODE,
                s -> s.withShutdown(new NodeShutdownSettings(GRACE, CRITICAL, daemon.address())))) {
      String image = berth.containerd.busyboxImage();
      // sleep as PID 1 ignores SIGTERM: it runs until its grace period ends
      BerthPods.writeManifest(
          berth.manifests, "app.yaml", pod("app", "", "[\"sleep\", \"3600\"]", image));
      BerthPods.writeManifest(
          berth.manifests,
          "polite.yaml",
          pod(
              "polite",
              "",
              "[\"sh\", \"-c\", \"trap 'exit 0' TERM; while true; do sleep 0.2; done\"]",
              image));
      BerthPods.writeManifest(
          berth.manifests,
          "critical.yaml",
          pod(
              "critical",
              "  priorityClassName: system-node-critical\n",
              "[\"sleep\", \"3600\"]",
              image));
      Map<String, JsonNode> running = berth.pods.awaitAllRunning(3, Duration.ofSeconds(60));
      assertThat(logind.held()).as("berth holds a delay lock while the node runs").isEqualTo(1);
      FakeLogind.Lock lock = logind.locks().get(0);
      assertThat(lock.what()).isEqualTo("shutdown");
      assertThat(lock.mode()).isEqualTo("delay");
      assertThat(lock.who()).isEqualTo("berth");

      Instant signalled = Instant.now();
      logind.prepareForShutdown(true);

      // a pod that arrives once berth acts on the signal (it marks the pods it stops) is refused,
      // as the kubelet's shutdown admission does; the signal itself reaches berth asynchronously
      berth.pods.await(
          Duration.ofSeconds(10),
          () ->
              berth
                  .pods
                  .pod("polite-" + NODE)
                  .filter(p -> p.path("status").path("reason").asText().equals("Terminated")));
      BerthPods.writeManifest(
          berth.manifests, "late.yaml", pod("late", "", "[\"sleep\", \"3600\"]", image));
      String late = "late-" + NODE;
      JsonNode refused =
          berth.pods.await(
              Duration.ofSeconds(10),
              () -> berth.pods.pod(late).filter(p -> BerthPods.phase(p).equals("Failed")));
      assertThat(refused.path("status").path("reason").asText()).isEqualTo("NodeShutdown");
      assertThat(refused.path("status").path("message").asText())
          .isEqualTo("Pod was rejected: Pod was rejected as the node is shutting down.");

      Instant released =
          lock.released().get(GRACE.plus(SLACK).plusSeconds(5).toSeconds(), TimeUnit.SECONDS);
      Instant appDone = finishedAt(berth, running.get("app-" + NODE));
      Instant politeDone = finishedAt(berth, running.get("polite-" + NODE));
      Instant criticalDone = finishedAt(berth, running.get("critical-" + NODE));
      Duration ordinary = GRACE.minus(CRITICAL);
      System.out.printf(
          "node shutdown: polite %d ms, app %d ms, critical %d ms, lock released %d ms after"
              + " PrepareForShutdown%n",
          Duration.between(signalled, politeDone).toMillis(),
          Duration.between(signalled, appDone).toMillis(),
          Duration.between(signalled, criticalDone).toMillis(),
          Duration.between(signalled, released).toMillis());

      // the pod that exits on SIGTERM goes at once; the one ignoring it gets its group's 6 s
      assertThat(Duration.between(signalled, politeDone)).isLessThan(Duration.ofSeconds(3));
      assertThat(Duration.between(signalled, appDone))
          .isGreaterThanOrEqualTo(ordinary.minusMillis(500))
          .isLessThan(ordinary.plus(SLACK));
      // critical pods are stopped only after the ordinary ones, with their own 4 s
      assertThat(Duration.between(appDone, criticalDone))
          .isGreaterThanOrEqualTo(CRITICAL.minusMillis(500))
          .isLessThan(CRITICAL.plus(SLACK));
      // the lock goes when the last group stopped or its time is up (then the runtime's SIGKILL
      // may land a moment after), within the whole grace period
      assertThat(released).isAfterOrEqualTo(criticalDone.minusSeconds(1));
      assertThat(Duration.between(signalled, released)).isLessThan(GRACE.plus(SLACK));

      // what the user sees: every pod Failed with the kubelet's reason and message
      Map<String, JsonNode> after =
          berth.pods.await(
              SLACK,
              () -> {
                Map<String, JsonNode> all = berth.pods.all();
                for (String name : new String[] {"app", "polite", "critical"}) {
                  if (!BerthPods.container(all.get(name + "-" + NODE))
                      .path("state")
                      .has("terminated")) {
                    return Optional.empty();
                  }
                }
                return Optional.of(all);
              });
      for (String name : new String[] {"app", "polite", "critical"}) {
        JsonNode p = after.get(name + "-" + NODE);
        assertThat(BerthPods.phase(p)).as(name).isEqualTo("Failed");
        assertThat(p.path("status").path("reason").asText()).as(name).isEqualTo("Terminated");
        assertThat(p.path("status").path("message").asText())
            .as(name)
            .isEqualTo("Pod was terminated in response to imminent node shutdown.");
        assertThat(BerthPods.container(p).path("state").has("terminated")).as(name).isTrue();
      }

      // the shutdown was cancelled (e.g. "shutdown -c"): berth takes a new lock, admits again
      logind.prepareForShutdown(false);
      berth.pods.await(
          Duration.ofSeconds(10), () -> logind.held() == 1 ? Optional.of(true) : Optional.empty());
      BerthPods.writeManifest(
          berth.manifests, "after.yaml", pod("after", "", "[\"sleep\", \"3600\"]", image));
      berth.pods.await(
          Duration.ofSeconds(30), () -> berth.pods.pod("after-" + NODE).filter(BerthPods::running));
    }
  }

  @Test
  void withoutABusBerthRunsAsUsualAndSaysWhy() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream tee =
        new PrintStream(
            new OutputStream() {
              @Override
              public void write(int b) {
                captured.write(b);
                System.err.write(b);
              }
            },
            true,
            StandardCharsets.UTF_8);
    LogSettings.target(tee, Clock.systemUTC());
    try (BerthOnContainerd berth =
        BerthOnContainerd.start(
            NODE + "-nobus",
            s ->
                s.withShutdown(
                    new NodeShutdownSettings(GRACE, CRITICAL, PrivateDbusDaemon.nowhere())))) {
      BerthPods.writeManifest(
          berth.manifests,
          "app.yaml",
          pod("app", "", "[\"sleep\", \"3600\"]", berth.containerd.busyboxImage()));
      berth.pods.awaitAllRunning(1, Duration.ofSeconds(60));
    } finally {
      LogSettings.target(System.err, Clock.systemUTC());
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log.lines().filter(l -> l.contains("graceful node shutdown is not available")))
        .singleElement()
        .asString()
        .contains("cannot connect to the bus at unix:path=/run/berth-test/no-such-bus")
        .contains("no such file");
  }
}
