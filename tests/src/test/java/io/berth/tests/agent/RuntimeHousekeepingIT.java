package io.berth.tests.agent;

import static io.berth.tests.agent.BerthPods.container;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.agent.kuberuntime.GcPolicy;
import io.berth.agent.kuberuntime.ImageGcPolicy;
import io.berth.agent.pod.RuntimeHousekeeping;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * berth's container GC with the kubelet's policy (MaxPerPodContainer 1), run every second here: a
 * crash-looping pod keeps only its running instance and the newest dead one (its {@code lastState},
 * whose log file stays); a deleted pod leaves no sandbox, container or log directory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeHousekeepingIT {
  private static final String NODE = "berth-gc-node";
  private static final RuntimeHousekeeping EVERY_SECOND =
      new RuntimeHousekeeping(
          GcPolicy.DEFAULTS,
          Duration.ofSeconds(1),
          16 * 1024,
          3,
          Duration.ofSeconds(1),
          ImageGcPolicy.DEFAULTS,
          ImageGcPolicy.PERIOD);
  private static final int LOG_MAX_FILES = EVERY_SECOND.containerLogMaxFiles();
  private static final Pattern LINE = Pattern.compile(" line (\\d+) ");
  private BerthOnContainerd berth;
  private BerthPods pods;
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private Path manifests;

  @BeforeAll
  void start() throws Exception {
    berth = BerthOnContainerd.start(NODE, s -> s.withRuntimeHousekeeping(EVERY_SECOND));
    pods = berth.pods;
    containerd = berth.containerd;
    cri = berth.cri;
    manifests = berth.manifests;
  }

  @AfterAll
  void stop() {
    if (berth != null) {
      berth.close();
    }
  }

  private List<Container> containersOf(String uid) {
    return cri.runtime()
        .listContainers(ContainerFilter.withLabels(Map.of("io.kubernetes.pod.uid", uid)));
  }

  private Path podLogDir(String name, String uid) {
    return containerd.podLogRoot().resolve("default_" + name + "_" + uid);
  }

  @Test
  void aCrashLoopingPodKeepsTheRunningAndTheNewestDeadInstance() throws Exception {
    String name = "crashy-" + NODE;
    BerthPods.writeManifest(
        manifests,
        "crashy.yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: crashy
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sh", "-c", "echo attempt; sleep 1; exit 3"]
        """
            .formatted(containerd.busyboxImage()));
    // the first restart is immediate, the second after the 10 s back-off
    JsonNode looping =
        pods.await(
            Duration.ofSeconds(40),
            () -> pods.pod(name).filter(p -> container(p).path("restartCount").asInt() >= 2));
    String uid = looping.path("metadata").path("uid").asText();
    // GC runs every second: within a few, at most the current + the newest dead instance remain
    List<Container> left =
        pods.await(
            Duration.ofSeconds(5), () -> Optional.of(containersOf(uid)).filter(l -> l.size() <= 2));
    JsonNode now = pods.pod(name).orElseThrow();
    int restarts = container(now).path("restartCount").asInt();
    assertThat(container(now).path("lastState").path("terminated").path("exitCode").asInt())
        .isEqualTo(3);
    String lastId =
        container(now).path("lastState").path("terminated").path("containerID").asText();
    assertThat(left.stream().map(c -> "containerd://" + c.id()))
        .as("the kept dead instance is the one lastState names")
        .contains(lastId);
    assertThat(left).allSatisfy(c -> assertThat(c.metadata().attempt()).isGreaterThan(0));
    // log files of removed instances are gone; those of the kept ones stay
    Set<String> logs;
    try (Stream<Path> s = Files.list(podLogDir(name, uid).resolve("main"))) {
      logs = s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    Set<String> expected =
        left.stream().map(c -> c.metadata().attempt() + ".log").collect(Collectors.toSet());
    assertThat(logs).as("restartCount %d", restarts).isEqualTo(expected);
    assertThat(logs).doesNotContain("0.log");
  }

  @Test
  void aDeletedPodLeavesNoSandboxContainerOrLogDirectory() throws Exception {
    String name = "brief-" + NODE;
    BerthPods.writeManifest(
        manifests,
        "brief.yaml",
        BerthPods.sleeperManifest("brief", "Always", containerd.busyboxImage()));
    JsonNode running =
        pods.await(Duration.ofSeconds(20), () -> pods.pod(name).filter(BerthPods::running));
    String uid = running.path("metadata").path("uid").asText();
    Path logDir = podLogDir(name, uid);
    assertThat(logDir.resolve("main/0.log")).exists();
    Files.delete(manifests.resolve("brief.yaml"));
    pods.await(
        Duration.ofSeconds(15),
        () ->
            containersOf(uid).isEmpty()
                    && cri.runtime()
                        .listPodSandbox(
                            PodSandboxFilter.withLabels(Map.of("io.kubernetes.pod.uid", uid)))
                        .isEmpty()
                    && !Files.exists(logDir)
                ? Optional.of(true)
                : Optional.empty());
    assertThat(pods.pod(name)).isEmpty();
  }

  @Test
  void aChattyContainersLogIsRotatedCompressedAndKeptToMaxFiles() throws Exception {
    String name = "chatty-" + NODE;
    BerthPods.writeManifest(
        manifests,
        "chatty.yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: chatty
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: %s
            imagePullPolicy: Never
            command: ["sh", "-c", "i=0; while true; do echo \\"line $i of a chatty container\\"; i=$((i+1)); usleep 2000; done"]
        """
            .formatted(containerd.busyboxImage()));
    JsonNode running =
        pods.await(Duration.ofSeconds(20), () -> pods.pod(name).filter(BerthPods::running));
    Path logs = podLogDir(name, running.path("metadata").path("uid").asText()).resolve("main");
    // rotated at least twice: the older rotated file is compressed
    pods.await(
        Duration.ofSeconds(20),
        () ->
            logFiles(logs).stream().anyMatch(f -> f.endsWith(".gz"))
                ? Optional.of(1)
                : Optional.empty());
    long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    int maxSeen = 0;
    // the live file is missing only between the rename and ReopenContainerLog (as with the
    // kubelet); that window must stay short, and the file count never exceeds the maximum
    long missingSince = -1;
    long longestMissing = 0;
    while (System.nanoTime() < until) {
      List<String> files = logFiles(logs);
      maxSeen = Math.max(maxSeen, files.size());
      assertThat(files).as("log files").hasSizeLessThanOrEqualTo(LOG_MAX_FILES);
      long now = System.nanoTime();
      if (files.contains("0.log")) {
        missingSince = -1;
      } else {
        missingSince = missingSince < 0 ? now : missingSince;
        longestMissing = Math.max(longestMissing, now - missingSince);
      }
      Thread.sleep(100);
    }
    assertThat(Duration.ofNanos(longestMissing))
        .as("longest time the live 0.log was missing (rename → reopen)")
        .isLessThan(Duration.ofSeconds(2));
    berth.pods.await(
        Duration.ofSeconds(5),
        () -> logFiles(logs).contains("0.log") ? Optional.of(true) : Optional.empty());
    // continuity: the live file goes on where the rotated files stop, and keeps growing
    List<String> files = logFiles(logs);
    long lastRotated = -1;
    for (String f : files) {
      if (!f.equals("0.log")) {
        lastRotated = Math.max(lastRotated, lastLine(logs.resolve(f)));
      }
    }
    long liveBefore = lastLine(logs.resolve("0.log"));
    assertThat(lastRotated).isPositive();
    long floor = Math.max(liveBefore, lastRotated);
    long liveAfter =
        pods.await(
            Duration.ofSeconds(3),
            () -> Optional.of(lastLine(logs.resolve("0.log"))).filter(n -> n > floor));
    System.err.printf(
        "RuntimeHousekeepingIT: log files %s (at most %d seen), last rotated line %d, live %d → %d%n",
        files, maxSeen, lastRotated, liveBefore, liveAfter);
  }

  /** The container's log files, leftovers of an unfinished compression ({@code .tmp}) aside. */
  private static List<String> logFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(f -> f.startsWith("0.log") && !f.endsWith(".tmp"))
          .sorted()
          .toList();
    }
  }

  /** The highest line number in a (possibly gzipped) CRI log file; -1 when it has none. */
  private static long lastLine(Path f) throws Exception {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (java.nio.file.NoSuchFileException rotatedMeanwhile) {
      return -1;
    }
    if (f.toString().endsWith(".gz")) {
      try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
        bytes = in.readAllBytes();
      }
    }
    long max = -1;
    Matcher m = LINE.matcher(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    while (m.find()) {
      max = Math.max(max, Long.parseLong(m.group(1)));
    }
    return max;
  }
}
