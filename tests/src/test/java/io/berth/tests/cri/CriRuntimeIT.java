package io.berth.tests.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.ContainerStats;
import io.berth.cri.ContainerStatsFilter;
import io.berth.cri.ContainerStatus;
import io.berth.cri.CriException;
import io.berth.cri.CriNotFoundException;
import io.berth.cri.CriRuntime;
import io.berth.cri.ExecSyncResult;
import io.berth.cri.LinuxContainerResources;
import io.berth.cri.PodSandbox;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxState;
import io.berth.cri.PodSandboxStats;
import io.berth.cri.PodSandboxStatsFilter;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.RuntimeService;
import io.berth.cri.StreamingRequest;
import io.berth.cri.StreamingUrl;
import io.berth.tests.fixtures.ContainerdLauncher;
import io.berth.tests.fixtures.CriPods;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * berth's CRI client against a real, private containerd 1.6 + runc + CNI bridge: every
 * RuntimeService RPC the kubelet uses, with assertions on what the runtime answered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CriRuntimeIT {
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private RuntimeService runtime;
  private CriPods pods;
  private PodSandboxConfig sandbox;
  private String sandboxId;

  @BeforeAll
  void startRuntime() {
    containerd = ContainerdLauncher.launch();
    cri = CriRuntime.connect(containerd.endpoint());
    runtime = cri.runtime();
    pods = new CriPods(containerd);
  }

  @AfterAll
  void stopRuntime() {
    if (cri != null) {
      cri.close();
    }
    if (containerd != null) {
      containerd.close();
    }
  }

  @AfterEach
  void removeSandbox() {
    if (sandboxId != null) {
      runtime.stopPodSandbox(sandboxId);
      runtime.removePodSandbox(sandboxId);
      sandboxId = null;
    }
  }

  private String runSandbox(String name) {
    sandbox = pods.sandbox(name);
    sandboxId = runtime.runPodSandbox(sandbox);
    return sandboxId;
  }

  private String startContainer(ContainerConfig config) {
    String id = runtime.createContainer(sandboxId, config, sandbox);
    runtime.startContainer(id);
    return id;
  }

  @Test
  void versionAndStatusReportAReadyV1Runtime() {
    var version = runtime.version();
    assertThat(version.runtimeName()).isEqualTo("containerd");
    assertThat(version.runtimeApiVersion()).isEqualTo("v1");
    assertThat(version.runtimeVersion()).startsWith("1.6");

    var status = runtime.status(true);
    assertThat(status.runtimeReady()).isTrue();
    assertThat(status.networkReady()).isTrue();
    assertThat(status.info()).isNotEmpty(); // verbose: containerd's config as JSON

    runtime.updateRuntimeConfig(containerd.podCidr());
  }

  @Test
  void sandboxGetsAnIpThatTheHostReachesOverHttp() throws Exception {
    runSandbox("web");
    String web =
        startContainer(
            pods.shell(
                "web",
                "mkdir -p /www && echo hello from $(hostname) > /www/index.html"
                    + " && exec httpd -f -p 8080 -h /www"));

    PodSandboxStatus status = runtime.podSandboxStatus(sandboxId, true);
    assertThat(status.state()).isEqualTo(PodSandboxState.READY);
    assertThat(status.metadata().name()).isEqualTo("web");
    assertThat(status.labels()).containsEntry("berth.test/pod", "web");
    assertThat(containerd.podSubnet().contains(status.ip()))
        .as("pod IP %s in %s", status.ip(), containerd.podCidr())
        .isTrue();
    assertThat(status.info()).containsKey("info"); // verbose: pid, cgroupsPath, CNI result

    String body = httpGetWithin(Duration.ofSeconds(10), "http://" + status.ip() + ":8080/");
    assertThat(body).isEqualTo("hello from web\n");

    ContainerStatus c = runtime.containerStatus(web);
    assertThat(c.state()).isEqualTo(ContainerState.RUNNING);
    assertThat(c.startedAt()).isAfter(Instant.now().minusSeconds(60));
    assertThat(c.logPath()).endsWith("web/0.log");
  }

  @Test
  void listsFilterBySandboxLabelsAndState() {
    runSandbox("lister");
    String a = startContainer(pods.shell("a", "sleep 3600"));
    String b = runtime.createContainer(sandboxId, pods.shell("b", "sleep 3600"), sandbox);

    List<PodSandbox> mine =
        runtime.listPodSandbox(PodSandboxFilter.withLabels(Map.of("berth.test/pod", "lister")));
    assertThat(mine).extracting(PodSandbox::id).containsExactly(sandboxId);

    assertThat(runtime.listContainers(ContainerFilter.inSandbox(sandboxId)))
        .extracting(io.berth.cri.Container::id)
        .containsExactlyInAnyOrder(a, b);
    assertThat(
            runtime.listContainers(
                ContainerFilter.inSandbox(sandboxId).inState(ContainerState.RUNNING)))
        .extracting(io.berth.cri.Container::id)
        .containsExactly(a);
    assertThat(
            runtime.listContainers(
                ContainerFilter.withLabels(Map.of("io.kubernetes.container.name", "b"))))
        .extracting(io.berth.cri.Container::id)
        .contains(b);
  }

  @Test
  void execSyncReturnsOutputAndExitCode() {
    runSandbox("exec");
    String id = startContainer(pods.shell("app", "sleep 3600"));

    ExecSyncResult r =
        runtime.execSync(
            id, List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));

    assertThat(new String(r.stdout(), StandardCharsets.UTF_8)).isEqualTo("out\n");
    assertThat(new String(r.stderr(), StandardCharsets.UTF_8)).isEqualTo("err\n");
    assertThat(r.exitCode()).isEqualTo(3);

    long start = System.nanoTime();
    assertThatThrownBy(() -> runtime.execSync(id, List.of("sleep", "30"), Duration.ofSeconds(1)))
        .isInstanceOf(CriException.class)
        .hasMessageContaining("ExecSync")
        .hasMessageContaining(id);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void statsShowMemoryAndRisingCpu() throws Exception {
    runSandbox("burner");
    String id =
        startContainer(
            pods.shell("burn", "x=$(head -c 4000000 /dev/zero | tr '\\0' a); while :; do :; done"));

    ContainerStats first =
        awaitStats(
            id,
            s ->
                s.memory().workingSetBytes() != null
                    && s.memory().workingSetBytes() > 4_000_000L
                    && s.cpu().usageCoreNanoSeconds() != null);
    Thread.sleep(1_000);
    ContainerStats second = runtime.containerStats(id);

    assertThat(first.metadata().name()).isEqualTo("burn");
    long burnt = second.cpu().usageCoreNanoSeconds() - first.cpu().usageCoreNanoSeconds();
    assertThat(burnt).as("CPU nanoseconds burnt in ~1 s").isGreaterThan(300_000_000L);

    assertThat(runtime.listContainerStats(ContainerStatsFilter.inSandbox(sandboxId)))
        .extracting(ContainerStats::id)
        .containsExactly(id);

    PodSandboxStats pod = runtime.podSandboxStats(sandboxId);
    assertThat(pod.id()).isEqualTo(sandboxId);
    assertThat(pod.cpu().usageCoreNanoSeconds()).isPositive();
    assertThat(pod.memory().workingSetBytes()).isGreaterThan(4_000_000L);
    assertThat(runtime.listPodSandboxStats(new PodSandboxStatsFilter(sandboxId, Map.of())))
        .extracting(PodSandboxStats::id)
        .containsExactly(sandboxId);
  }

  @Test
  void updateContainerResourcesChangesTheCgroupLimit() throws Exception {
    runSandbox("resize");
    String id = startContainer(pods.shell("app", "sleep 3600"));
    long limit = 64L * 1024 * 1024;

    runtime.updateContainerResources(id, LinuxContainerResources.of(100_000, 50_000, 512, limit));

    String seen = exec(id, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes").trim();
    assertThat(Long.parseLong(seen)).isEqualTo(limit);
    String quota = exec(id, "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us").trim();
    assertThat(quota).isEqualTo("50000");
  }

  @Test
  void reopenContainerLogStartsANewFileAfterRotation() throws Exception {
    runSandbox("logger");
    String id =
        startContainer(
            pods.shell("log", "i=0; while :; do i=$((i+1)); echo line $i; sleep 0.1; done"));
    Path log = Path.of(sandbox.logDirectory(), "log/0.log");
    await(() -> Files.exists(log) && size(log) > 0, "log file " + log + " written");

    Path rotated = log.resolveSibling("0.log.1");
    Files.move(log, rotated);
    runtime.reopenContainerLog(id);

    await(() -> Files.exists(log) && size(log) > 0, "log reopened at " + log);
    String line = Files.readAllLines(log).get(0);
    assertThat(line).matches("\\S+ stdout F line \\d+");
    Instant.parse(line.substring(0, line.indexOf(' '))); // CRI log timestamp
  }

  @Test
  void streamingCallsReturnUrlsOfTheRuntimesStreamingServer() {
    runSandbox("streams");
    String id =
        runtime.createContainer(
            sandboxId,
            ContainerConfig.builder(
                    new io.berth.cri.ContainerMetadata("tty", 0), containerd.busyboxImage())
                .command("sh")
                .stdin(true, false)
                .tty(true)
                .logPath("tty/0.log")
                .build(),
            sandbox);
    runtime.startContainer(id);

    StreamingUrl exec = runtime.exec(StreamingRequest.exec(id, List.of("sh", "-c", "echo hi")));
    StreamingUrl attach = runtime.attach(StreamingRequest.attach(id));
    StreamingUrl forward = runtime.portForward(sandboxId, List.of(8080));

    for (StreamingUrl url : List.of(exec, attach, forward)) {
      assertThat(URI.create(url.url()).getHost()).isEqualTo("127.0.0.1");
    }
    assertThat(exec.url()).contains("/exec/");
    assertThat(attach.url()).contains("/attach/");
    assertThat(forward.url()).contains("/portforward/");
  }

  @Test
  void stopAndRemoveEndTheLifecycleAndLeaveNothing() throws InterruptedException {
    String id = runSandbox("stopper");
    String c =
        startContainer(
            pods.shell("app", "trap 'exit 7' TERM; touch /tmp/trapped; while :; do sleep 1; done"));
    await(() -> execExit(c, "test -f /tmp/trapped") == 0, "TERM trap installed in " + c);

    runtime.stopContainer(c, Duration.ofSeconds(10));
    ContainerStatus stopped = runtime.containerStatus(c);
    assertThat(stopped.state()).isEqualTo(ContainerState.EXITED);
    assertThat(stopped.exitCode()).isEqualTo(7);
    assertThat(stopped.finishedAt()).isAfter(stopped.startedAt());

    runtime.removeContainer(c);
    assertThatThrownBy(() -> runtime.containerStatus(c))
        .isInstanceOf(CriNotFoundException.class)
        .hasMessageContaining(c);
    runtime.removeContainer(c); // idempotent, like the kubelet expects

    runtime.stopPodSandbox(id);
    assertThat(runtime.podSandboxStatus(id).state()).isEqualTo(PodSandboxState.NOT_READY);
    runtime.removePodSandbox(id);
    sandboxId = null;
    assertThatThrownBy(() -> runtime.podSandboxStatus(id))
        .isInstanceOf(CriNotFoundException.class)
        .hasMessageContaining(id);
    assertThat(
            runtime.listPodSandbox(
                PodSandboxFilter.withLabels(Map.of("berth.test/pod", "stopper"))))
        .isEmpty();
  }

  private String exec(String containerId, String script) {
    ExecSyncResult r =
        runtime.execSync(containerId, List.of("sh", "-c", script), Duration.ofSeconds(10));
    assertThat(r.exitCode())
        .as("exit code of %s: %s", script, new String(r.stderr(), StandardCharsets.UTF_8))
        .isZero();
    return new String(r.stdout(), StandardCharsets.UTF_8);
  }

  private int execExit(String containerId, String script) {
    return runtime
        .execSync(containerId, List.of("sh", "-c", script), Duration.ofSeconds(10))
        .exitCode();
  }

  private ContainerStats awaitStats(String id, java.util.function.Predicate<ContainerStats> ready)
      throws InterruptedException {
    ContainerStats last = null;
    for (int i = 0; i < 100; i++) {
      last = runtime.containerStats(id);
      if (ready.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("stats never showed the expected usage; last: " + last);
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out waiting for: " + what);
  }

  private static String httpGetWithin(Duration max, String url) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    Instant deadline = Instant.now().plus(max);
    Exception last = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return r.body();
        }
      } catch (java.io.IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no HTTP 200 from " + url + " within " + max, last);
  }
}
