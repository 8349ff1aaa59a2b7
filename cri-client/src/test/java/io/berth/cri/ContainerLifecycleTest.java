package io.berth.cri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.berth.cri.v1.AttachRequest;
import io.berth.cri.v1.CreateContainerRequest;
import io.berth.cri.v1.ExecRequest;
import io.berth.cri.v1.ExecSyncRequest;
import io.berth.cri.v1.ExecSyncResponse;
import io.berth.cri.v1.ListContainersRequest;
import io.berth.cri.v1.StopContainerRequest;
import io.berth.cri.v1.UpdateContainerResourcesRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContainerLifecycleTest extends FakeCriTestBase {
  PodSandboxConfig sandbox;
  String sandboxId;

  @BeforeEach
  void runSandbox() {
    sandbox = sandboxConfig("web");
    sandboxId = runtime.runPodSandbox(sandbox);
  }

  @Test
  void createContainerSendsEveryConfigField() {
    var resources =
        LinuxContainerResources.of(100_000, 50_000, 512, 64L << 20)
            .withOomScoreAdj(1000)
            .withCpuset("0-1", "0")
            .withHugepageLimits(Map.of("2MB", 4L << 20));
    var security =
        ContainerSecurityContext.builder()
            .capabilities(List.of("NET_ADMIN"), List.of("ALL"))
            .privileged(false)
            .runAsUser(1000)
            .runAsGroup(3000)
            .readonlyRootfs(true)
            .noNewPrivs(true)
            .supplementalGroups(List.of(4000L))
            .maskedPaths(List.of("/proc/kcore"))
            .readonlyPaths(List.of("/proc/sys"))
            .seccomp(SecurityProfile.localhost("/var/lib/kubelet/seccomp/audit.json"))
            .apparmor(SecurityProfile.unconfined())
            .build();
    var config =
        ContainerConfig.builder(new ContainerMetadata("app", 3), "docker.io/library/busybox:1.36")
            .command("/bin/sh", "-c")
            .args("echo hi; sleep 3600")
            .workingDir("/work")
            .env("B", "2")
            .env("A", "1")
            .mount(Mount.bind("/var/lib/kubelet/pods/u/volumes/data", "/data", true))
            .mount(
                new Mount("/shared", "/mnt/shared", false, true, Mount.Propagation.BIDIRECTIONAL))
            .device(new Device("/dev/fuse", "/dev/fuse", "rwm"))
            .label("io.kubernetes.container.name", "app")
            .annotation("io.kubernetes.container.restartCount", "3")
            .logPath("app/3.log")
            .stdin(true, true)
            .tty(true)
            .resources(resources)
            .securityContext(security)
            .build();

    String id = runtime.createContainer(sandboxId, config, sandbox);

    assertThat(id).isEqualTo("ctr-1");
    CreateContainerRequest req = server.runtime().calls().lastRequest(CreateContainerRequest.class);
    assertThat(req.getPodSandboxId()).isEqualTo(sandboxId);
    assertThat(req.getSandboxConfig().getMetadata().getName()).isEqualTo("web");
    var c = req.getConfig();
    assertThat(c.getMetadata().getName()).isEqualTo("app");
    assertThat(c.getMetadata().getAttempt()).isEqualTo(3);
    assertThat(c.getImage().getImage()).isEqualTo("docker.io/library/busybox:1.36");
    assertThat(c.getCommandList()).containsExactly("/bin/sh", "-c");
    assertThat(c.getArgsList()).containsExactly("echo hi; sleep 3600");
    assertThat(c.getWorkingDir()).isEqualTo("/work");
    assertThat(c.getEnvsList())
        .extracting(kv -> kv.getKey() + "=" + kv.getValue())
        .containsExactly("B=2", "A=1");
    assertThat(c.getMounts(0).getHostPath()).isEqualTo("/var/lib/kubelet/pods/u/volumes/data");
    assertThat(c.getMounts(0).getContainerPath()).isEqualTo("/data");
    assertThat(c.getMounts(0).getReadonly()).isTrue();
    assertThat(c.getMounts(1).getSelinuxRelabel()).isTrue();
    assertThat(c.getMounts(1).getPropagation())
        .isEqualTo(io.berth.cri.v1.MountPropagation.PROPAGATION_BIDIRECTIONAL);
    assertThat(c.getDevices(0).getPermissions()).isEqualTo("rwm");
    assertThat(c.getLabelsMap()).containsEntry("io.kubernetes.container.name", "app");
    assertThat(c.getAnnotationsMap()).containsEntry("io.kubernetes.container.restartCount", "3");
    assertThat(c.getLogPath()).isEqualTo("app/3.log");
    assertThat(c.getStdin()).isTrue();
    assertThat(c.getStdinOnce()).isTrue();
    assertThat(c.getTty()).isTrue();
    var r = c.getLinux().getResources();
    assertThat(r.getCpuPeriod()).isEqualTo(100_000);
    assertThat(r.getCpuQuota()).isEqualTo(50_000);
    assertThat(r.getCpuShares()).isEqualTo(512);
    assertThat(r.getMemoryLimitInBytes()).isEqualTo(64L << 20);
    assertThat(r.getOomScoreAdj()).isEqualTo(1000);
    assertThat(r.getCpusetCpus()).isEqualTo("0-1");
    assertThat(r.getCpusetMems()).isEqualTo("0");
    assertThat(r.getHugepageLimits(0).getPageSize()).isEqualTo("2MB");
    assertThat(r.getHugepageLimits(0).getLimit()).isEqualTo(4L << 20);
    var s = c.getLinux().getSecurityContext();
    assertThat(s.getCapabilities().getAddCapabilitiesList()).containsExactly("NET_ADMIN");
    assertThat(s.getCapabilities().getDropCapabilitiesList()).containsExactly("ALL");
    assertThat(s.getPrivileged()).isFalse();
    assertThat(s.getRunAsUser().getValue()).isEqualTo(1000);
    assertThat(s.getRunAsGroup().getValue()).isEqualTo(3000);
    assertThat(s.getReadonlyRootfs()).isTrue();
    assertThat(s.getNoNewPrivs()).isTrue();
    assertThat(s.getSupplementalGroupsList()).containsExactly(4000L);
    assertThat(s.getMaskedPathsList()).containsExactly("/proc/kcore");
    assertThat(s.getReadonlyPathsList()).containsExactly("/proc/sys");
    assertThat(s.getSeccomp().getProfileType())
        .isEqualTo(io.berth.cri.v1.SecurityProfile.ProfileType.Localhost);
    assertThat(s.getSeccomp().getLocalhostRef()).isEqualTo("/var/lib/kubelet/seccomp/audit.json");
    assertThat(s.getApparmor().getProfileType())
        .isEqualTo(io.berth.cri.v1.SecurityProfile.ProfileType.Unconfined);
    assertThat(s.getNamespaceOptions().getPid()).isEqualTo(io.berth.cri.v1.NamespaceMode.CONTAINER);
  }

  @Test
  void runAsUserUnsetIsNotSentAsRoot() {
    runtime.createContainer(
        sandboxId,
        ContainerConfig.builder(new ContainerMetadata("c", 0), "busybox")
            .securityContext(ContainerSecurityContext.builder().build())
            .build(),
        sandbox);

    var s =
        server
            .runtime()
            .calls()
            .lastRequest(CreateContainerRequest.class)
            .getConfig()
            .getLinux()
            .getSecurityContext();
    assertThat(s.hasRunAsUser()).isFalse();
    assertThat(s.hasRunAsGroup()).isFalse();
    assertThat(s.hasSeccomp()).isFalse();
  }

  @Test
  void containerStatusFollowsTheLifecycle() {
    var config =
        ContainerConfig.builder(new ContainerMetadata("app", 1), "busybox:1.36")
            .mount(Mount.bind("/host/data", "/data", false))
            .label("k", "v")
            .annotation("x", "y")
            .logPath("app/1.log")
            .resources(LinuxContainerResources.of(100_000, 20_000, 2, 32L << 20))
            .build();
    String id = runtime.createContainer(sandboxId, config, sandbox);

    ContainerStatus created = runtime.containerStatus(id);
    assertThat(created.state()).isEqualTo(ContainerState.CREATED);
    assertThat(created.createdAt()).isEqualTo(NOW);
    assertThat(created.startedAt()).isNull();
    assertThat(created.finishedAt()).isNull();

    runtime.startContainer(id);
    server.runtime().exitContainer(id, 3, "Error");

    ContainerStatus s = runtime.containerStatus(id, true);
    assertThat(s.id()).isEqualTo(id);
    assertThat(s.metadata()).isEqualTo(new ContainerMetadata("app", 1));
    assertThat(s.state()).isEqualTo(ContainerState.EXITED);
    assertThat(s.startedAt()).isEqualTo(NOW);
    assertThat(s.finishedAt()).isEqualTo(NOW);
    assertThat(s.exitCode()).isEqualTo(3);
    assertThat(s.reason()).isEqualTo("Error");
    assertThat(s.message()).isEqualTo("process exited");
    assertThat(s.image()).isEqualTo(ImageSpec.of("busybox:1.36"));
    assertThat(s.imageRef()).startsWith("sha256:");
    assertThat(s.labels()).containsExactly(Map.entry("k", "v"));
    assertThat(s.annotations()).containsExactly(Map.entry("x", "y"));
    assertThat(s.mounts()).containsExactly(Mount.bind("/host/data", "/data", false));
    assertThat(s.logPath()).isEqualTo("/var/log/pods/default_web_uid-web/app/1.log");
    assertThat(s.resources()).isEqualTo(LinuxContainerResources.of(100_000, 20_000, 2, 32L << 20));
    assertThat(s.info()).containsKey("info");
  }

  @Test
  void listContainersFiltersBySandboxStateAndLabels() {
    String other = runtime.runPodSandbox(sandboxConfig("other"));
    String a = runtime.createContainer(sandboxId, containerConfig("a"), sandbox);
    String b = runtime.createContainer(sandboxId, containerConfig("b"), sandbox);
    String c = runtime.createContainer(other, containerConfig("c"), sandboxConfig("other"));
    runtime.startContainer(b);

    assertThat(runtime.listContainers(ContainerFilter.all()))
        .extracting(Container::id)
        .containsExactly(a, b, c);
    assertThat(runtime.listContainers(ContainerFilter.inSandbox(sandboxId)))
        .extracting(Container::id)
        .containsExactly(a, b);
    assertThat(runtime.listContainers(ContainerFilter.all().inState(ContainerState.RUNNING)))
        .extracting(Container::id)
        .containsExactly(b);
    assertThat(
            runtime.listContainers(
                ContainerFilter.withLabels(Map.of("io.kubernetes.container.name", "c"))))
        .singleElement()
        .satisfies(
            ct -> {
              assertThat(ct.podSandboxId()).isEqualTo(other);
              assertThat(ct.metadata().name()).isEqualTo("c");
              assertThat(ct.image().image()).isEqualTo("docker.io/library/busybox:1.36");
              assertThat(ct.imageRef()).startsWith("sha256:");
              assertThat(ct.state()).isEqualTo(ContainerState.CREATED);
              assertThat(ct.createdAt()).isEqualTo(NOW);
            });
    var sent = server.runtime().calls().lastRequest(ListContainersRequest.class).getFilter();
    assertThat(sent.getLabelSelectorMap()).containsEntry("io.kubernetes.container.name", "c");
    assertThat(sent.hasState()).isFalse();
  }

  @Test
  void stopSendsGracePeriodInWholeSecondsAndRemoveIsIdempotent() {
    String id = runtime.createContainer(sandboxId, containerConfig("app"), sandbox);
    runtime.startContainer(id);

    runtime.stopContainer(id, Duration.ofMillis(29_500));

    assertThat(server.runtime().calls().lastRequest(StopContainerRequest.class).getTimeout())
        .isEqualTo(30);
    assertThat(runtime.containerStatus(id).state()).isEqualTo(ContainerState.EXITED);
    runtime.removeContainer(id);
    runtime.removeContainer(id);
    assertThat(runtime.listContainers(ContainerFilter.all())).isEmpty();
  }

  @Test
  void updateContainerResourcesAndReopenLog() {
    String id = runtime.createContainer(sandboxId, containerConfig("app"), sandbox);
    runtime.startContainer(id);

    runtime.updateContainerResources(
        id, LinuxContainerResources.of(100_000, 200_000, 1024, 1L << 30));
    runtime.reopenContainerLog(id);

    var sent = server.runtime().calls().lastRequest(UpdateContainerResourcesRequest.class);
    assertThat(sent.getContainerId()).isEqualTo(id);
    assertThat(sent.getLinux().getMemoryLimitInBytes()).isEqualTo(1L << 30);
    assertThat(runtime.containerStatus(id).resources().cpuQuota()).isEqualTo(200_000);
  }

  @Test
  void reopenLogOfStoppedContainerCarriesTheGrpcCode() {
    String id = runtime.createContainer(sandboxId, containerConfig("app"), sandbox);

    assertThatThrownBy(() -> runtime.reopenContainerLog(id))
        .isInstanceOfSatisfying(
            CriCallException.class, e -> assertThat(e.grpcCode()).isEqualTo("FAILED_PRECONDITION"))
        .hasMessage("ReopenContainerLog ctr-1: failed_precondition: container is not running");
  }

  @Test
  void execSyncReturnsBytesAndExitCode() {
    String id = runtime.createContainer(sandboxId, containerConfig("app"), sandbox);
    runtime.startContainer(id);
    server
        .runtime()
        .setExecHandler(
            r ->
                ExecSyncResponse.newBuilder()
                    .setStdout(ByteString.copyFrom(new byte[] {(byte) 0xff, 0, 'o', 'k'}))
                    .setStderr(ByteString.copyFromUtf8("warn\n"))
                    .setExitCode(7)
                    .build());

    ExecSyncResult result =
        runtime.execSync(id, List.of("cat", "/etc/hostname"), Duration.ofSeconds(5));

    assertThat(result.stdout()).containsExactly((byte) 0xff, 0, 'o', 'k');
    assertThat(result.stderrUtf8()).isEqualTo("warn\n");
    assertThat(result.exitCode()).isEqualTo(7);
    assertThat(result.succeeded()).isFalse();
    assertThat(result)
        .isEqualTo(
            new ExecSyncResult(
                new byte[] {(byte) 0xff, 0, 'o', 'k'},
                "warn\n".getBytes(StandardCharsets.UTF_8),
                7));
    var sent = server.runtime().calls().lastRequest(ExecSyncRequest.class);
    assertThat(sent.getCmdList()).containsExactly("cat", "/etc/hostname");
    assertThat(sent.getTimeout()).isEqualTo(5);
  }

  @Test
  void execAndAttachReturnStreamingUrls() {
    String id = runtime.createContainer(sandboxId, containerConfig("app"), sandbox);

    StreamingUrl exec =
        runtime.exec(new StreamingRequest(id, List.of("sh"), true, true, true, false));
    StreamingUrl attach = runtime.attach(StreamingRequest.attach(id));

    assertThat(exec.url()).isEqualTo("http://127.0.0.1:10010/exec/tok-" + id);
    assertThat(attach.url()).isEqualTo("http://127.0.0.1:10010/attach/tok-" + id);
    var e = server.runtime().calls().lastRequest(ExecRequest.class);
    assertThat(e.getCmdList()).containsExactly("sh");
    assertThat(e.getTty()).isTrue();
    assertThat(e.getStdin()).isTrue();
    assertThat(e.getStdout()).isTrue();
    assertThat(e.getStderr()).isFalse();
    var a = server.runtime().calls().lastRequest(AttachRequest.class);
    assertThat(a.getStdout()).isTrue();
    assertThat(a.getStderr()).isTrue();
    assertThat(a.getTty()).isFalse();
  }

  @Test
  void operationsOnUnknownContainerNameTheContainer() {
    assertThatThrownBy(() -> runtime.startContainer("3f2a9c"))
        .isInstanceOf(CriNotFoundException.class)
        .hasMessageStartingWith("StartContainer 3f2a9c: not found: ");
    assertThatThrownBy(() -> runtime.createContainer("sb-404", containerConfig("x"), null))
        .isInstanceOf(CriNotFoundException.class)
        .hasMessageStartingWith("CreateContainer x in sandbox sb-404: not found: ");
  }
}
