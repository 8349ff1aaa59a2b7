package io.berth.tests.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.cri.CriRuntime;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.NotifySocketListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tarball that {@code ./mvnw package} builds, installed by its own {@code systemd/install.sh}
 * into a temporary root: {@code bin/berth --version} works, berth started from the installed tree
 * with the installed config file brings a static pod to Running on a private containerd (and {@code
 * berth pods}, {@code describe} and {@code logs} show it, its own log is JSON lines), a second
 * install changes nothing, and {@code uninstall.sh} leaves no berth file behind.
 */
class DistributionIT {
  private static final String NODE = "berth-dist-it";
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path dir;
  private Path unpacked;
  private Path root;

  @BeforeEach
  void unpackTheBuiltTarball() throws Exception {
    Path target = Path.of("..", "agent", "target").toAbsolutePath().normalize();
    Path tarball;
    try (Stream<Path> files = Files.list(target)) {
      tarball =
          files
              .filter(p -> p.getFileName().toString().matches("berth-.*\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "no berth-*.tar.gz in "
                              + target
                              + ": build it with ./mvnw -pl agent,tests verify"));
    }
    dir = Files.createTempDirectory("berth-dist-it-");
    run(dir, List.of("tar", "xzf", tarball.toString()));
    try (Stream<Path> top = Files.list(dir)) {
      unpacked = top.filter(Files::isDirectory).findFirst().orElseThrow();
    }
    root = Files.createDirectory(dir.resolve("root"));
  }

  @AfterEach
  void removeTemporaryFiles() throws IOException {
    if (dir != null) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void installsTwiceToTheSameFilesAndUninstallsToNothing() throws Exception {
    Path installer = unpacked.resolve("systemd/install.sh");
    Run first = run(dir, List.of(installer.toString(), "--root", root.toString()));
    assertThat(first.output()).contains("nothing enabled or started");
    Map<String, String> afterFirst = snapshot(root);
    assertThat(afterFirst)
        .containsKeys(
            "opt/berth/bin/berth",
            "etc/berth/config.yaml",
            "etc/berth/berth.env",
            "etc/berth/manifests/",
            "etc/systemd/system/berth.service",
            "usr/local/bin/berth")
        .containsEntry("usr/local/bin/berth", "-> /opt/berth/bin/berth");
    assertThat(afterFirst.keySet()).anyMatch(k -> k.matches("opt/berth/lib/berth-agent-.*\\.jar"));
    assertThat(afterFirst.get("opt/berth/bin/berth")).startsWith("rwxr-xr-x ");
    assertThat(Files.readString(root.resolve("etc/systemd/system/berth.service")))
        .contains("ExecStart=/opt/berth/bin/berth run $BERTH_ARGS");

    // an operator's edits to the config survive a reinstall; everything else is identical
    Path config = root.resolve("etc/berth/config.yaml");
    Files.writeString(config, Files.readString(config) + "# edited by the operator\n");
    Map<String, String> edited = snapshot(root);
    run(dir, List.of(installer.toString(), "--root", root.toString()));
    assertThat(snapshot(root)).isEqualTo(edited);

    run(
        dir,
        List.of(unpacked.resolve("systemd/uninstall.sh").toString(), "--root", root.toString()));
    assertThat(snapshot(root).keySet())
        .as("what uninstall.sh left under the root")
        .allMatch(k -> k.endsWith("/"), "only (empty) directories")
        .noneMatch(k -> k.contains("berth"));
  }

  @Test
  void theInstalledLauncherPrintsTheVersionAndRunsAStaticPod() throws Exception {
    run(dir, List.of(unpacked.resolve("systemd/install.sh").toString(), "--root", root.toString()));
    Path berth = root.resolve("opt/berth/bin/berth");

    Run version = run(dir, List.of(berth.toString(), "--version"));
    assertThat(version.output().strip()).matches("berth \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");

    try (ContainerdLauncher containerd = ContainerdLauncher.launch();
        NotifySocketListener systemd = new NotifySocketListener(dir.resolve("notify"))) {
      Path manifests = root.resolve("etc/berth/manifests");
      Path config = root.resolve("etc/berth/config.yaml");
      // the installed example config, pointed at this test's directories
      Files.writeString(
          config,
          Files.readString(config)
              .replace("/etc/berth/manifests", manifests.toString())
              .replace("/var/log/pods", containerd.podLogRoot().toString())
              .replace("healthzPort: 10248", "healthzPort: " + freePort()));
      Files.writeString(
          manifests.resolve("web.yaml"),
          """
          apiVersion: v1
          kind: Pod
          metadata:
            name: web
          spec:
            terminationGracePeriodSeconds: 2
            containers:
            - name: httpd
              image: %s
              imagePullPolicy: IfNotPresent
              command: ["sh", "-c", "echo hello > /tmp/index.html; echo started httpd; echo to stderr >&2; exec httpd -f -p 8080 -h /tmp"]
          """
              .formatted(containerd.busyboxImage()));
      Path log = dir.resolve("berth.log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  berth.toString(),
                  "run",
                  "--config",
                  config.toString(),
                  // flags override the file
                  "--container-runtime-endpoint",
                  containerd.endpoint(),
                  "--cgroup-root",
                  containerd.cgroupParent(),
                  "--root-dir",
                  dir.resolve("state").toString(),
                  "--node-name",
                  NODE,
                  "--log-format",
                  "json")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("BERTH_JAVA_HOME", System.getProperty("java.home"));
      pb.environment().put("NOTIFY_SOCKET", systemd.path().toString());
      Process process = pb.start();
      try {
        String ready = systemd.next(Duration.ofSeconds(30));
        while (!ready.startsWith("READY=1")) {
          ready = systemd.next(Duration.ofSeconds(30));
        }
        Matcher serving = Pattern.compile("serving on ([0-9.]+:\\d+)").matcher(ready);
        assertThat(serving.find()).as(ready).isTrue();
        String server = "http://" + serving.group(1);

        JsonNode pod = awaitRunning(server, "web-" + NODE, Duration.ofSeconds(30), log);
        assertThat(pod.at("/status/podIP").asText()).isNotEmpty();
        assertThat(pod.at("/spec/nodeName").asText()).isEqualTo(NODE);

        Run pods = run(dir, List.of(berth.toString(), "pods", "--server", server));
        assertThat(pods.output().lines())
            .anyMatch(l -> l.contains("web-" + NODE) && l.contains("Running"));
        assertThat(pods.output())
            .as("no colour when stdout is not a terminal")
            .doesNotContain("\u001b[");

        Run describe =
            run(
                dir,
                List.of(berth.toString(), "describe", "pod", "web-" + NODE, "--server", server));
        assertThat(describe.output())
            .contains("Name:             web-" + NODE, "Status:           Running", "  httpd:")
            .containsPattern("State:          Running\n      Started:      \\w{3}, ")
            .contains("Restart Count:  0")
            .containsPattern("\\n  Ready +True\\n");

        Run logs =
            run(
                dir,
                List.of(
                    berth.toString(),
                    "logs",
                    "web-" + NODE,
                    "--pod-logs-dir",
                    containerd.podLogRoot().toString()));
        // stdout and stderr reach the log file through separate pipes: their order may differ
        assertThat(logs.output().lines()).containsExactlyInAnyOrder("started httpd", "to stderr");

        // --log-format json: every line berth wrote is one JSON object
        for (String line : Files.readAllLines(log)) {
          JsonNode event = json.readTree(line);
          assertThat(event.path("level").asText()).as(line).isIn("info", "warn", "error", "debug");
          assertThat(event.path("msg").isTextual()).as(line).isTrue();
        }
        assertThat(Files.readString(log)).contains("\"logger\":\"io.berth.agent.NodeAgent\"");

        // the pod goes with its manifest, then berth stops on SIGTERM
        Files.delete(manifests.resolve("web.yaml"));
        try (CriRuntime cri = CriRuntime.connect(containerd.endpoint())) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (!cri.runtime().listPodSandbox(PodSandboxFilter.all()).isEmpty()
              && System.nanoTime() < deadline) {
            Thread.sleep(200);
          }
          List<PodSandbox> left = cri.runtime().listPodSandbox(PodSandboxFilter.all());
          for (PodSandbox s : left) {
            cri.runtime().stopPodSandbox(s.id());
            cri.runtime().removePodSandbox(s.id());
          }
          assertThat(left).as("sandboxes left after the manifest went").isEmpty();
        }
      } finally {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
      assertThat(process.exitValue()).as("berth's exit status on SIGTERM").isIn(0, 143);
    }
  }

  @Test
  void anInvalidConfigFileStopsTheInstalledBerthWithOneLine() throws Exception {
    run(dir, List.of(unpacked.resolve("systemd/install.sh").toString(), "--root", root.toString()));
    Path config = root.resolve("etc/berth/config.yaml");
    Files.writeString(
        config,
        Files.readString(config).replace("healthzPort: 10248", "healthzPort: 70000")
            + "  syncPerod: 10s\n");
    ProcessBuilder pb =
        new ProcessBuilder(
            root.resolve("opt/berth/bin/berth").toString(), "run", "--config", config.toString());
    pb.environment().put("BERTH_JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<String> err = p.errorReader(StandardCharsets.UTF_8).lines().toList();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("exit status; stderr %s", err).isEqualTo(2);
    assertThat(out).isEmpty();
    assertThat(err)
        .containsExactly(
            "berth: config "
                + config
                + ": KubeletConfiguration.healthzPort: must be between 1 and 65535, got 70000");
  }

  @Test
  void theLauncherSaysWhatToInstallWhenNoJava21IsFound() throws Exception {
    // A private mount namespace hides every JDK 21+ (tmpfs over it); Java 17 stays visible.
    List<String> hide = new ArrayList<>();
    hide.add(Path.of(System.getProperty("java.home")).toRealPath().toString());
    try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
      for (Path jvm : jvms.toList()) {
        Path release = jvm.resolve("release");
        if (Files.isReadable(release)
            && Files.readString(release).matches("(?s).*JAVA_VERSION=\"(2\\d|[3-9]\\d).*")) {
          hide.add(jvm.toRealPath().toString());
        }
      }
    }
    StringBuilder script = new StringBuilder();
    for (String h : hide) {
      script.append("mount -t tmpfs none '").append(h).append("' && ");
    }
    script.append("exec '").append(unpacked.resolve("bin/berth")).append("' --version");
    ProcessBuilder pb =
        new ProcessBuilder(
            "unshare", "--mount", "--propagation", "private", "sh", "-c", script.toString());
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("BERTH_JAVA_HOME");
    pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    List<String> err = p.errorReader(StandardCharsets.UTF_8).lines().toList();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("stdout %s stderr %s", out, err).isEqualTo(1);
    assertThat(err).hasSize(2);
    assertThat(err.get(0)).startsWith("berth: no Java 21 or newer found");
    assertThat(err.get(1)).contains("apt-get install openjdk-21-jre-headless");
  }

  private JsonNode awaitRunning(String server, String name, Duration max, Path log)
      throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(server + "/pods")).build(),
                HttpResponse.BodyHandlers.ofString());
        last = r.body();
        for (JsonNode p : json.readTree(last).path("items")) {
          if (p.at("/metadata/name").asText().equals(name)
              && p.at("/status/phase").asText().equals("Running")) {
            return p;
          }
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        name
            + " not Running within "
            + max
            + "; last /pods: "
            + last
            + "\nberth log:\n"
            + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  record Run(int exit, String output) {}

  private static Run run(Path cwd, List<String> command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    assertThat(p.exitValue()).as("%s exit status; output:%n%s", command, out).isZero();
    return new Run(p.exitValue(), out);
  }

  /**
   * Every path under {@code root} (directories end in /) with its permissions and content hash, or
   * {@code -> target} for links.
   */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> !p.equals(root)).forEach(all::add);
    }
    for (Path p : all) {
      String rel = root.relativize(p).toString();
      if (Files.isSymbolicLink(p)) {
        files.put(rel, "-> " + Files.readSymbolicLink(p));
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        files.put(rel + "/", "dir");
      } else {
        files.put(
            rel,
            java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
                + " "
                + sha256(p));
      }
    }
    return files;
  }

  private static String sha256(Path p) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
