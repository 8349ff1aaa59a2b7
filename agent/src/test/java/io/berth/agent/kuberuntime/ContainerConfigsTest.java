package io.berth.agent.kuberuntime;

import static io.berth.agent.kuberuntime.TestPods.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.cri.ContainerConfig;
import io.berth.cri.EnvVar;
import io.berth.cri.Mount;
import io.berth.cri.NamespaceMode;
import io.berth.cri.SecurityProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerConfigsTest {
  private static final Path SECCOMP = Path.of("/var/lib/berth/seccomp");
  static final NodeContext NODE =
      new NodeContext(
          "node-a", List.of("192.168.1.10"), Map.of("cpu", new Quantity("2")), 4L << 30);
  final ContainerConfigs configs =
      new ContainerConfigs(NODE, ConfigSource.NONE, HASH, new ObjectMapper(), SECCOMP);

  static Pod podOf(Container c) {
    return new PodBuilder(pod(List.of(c), List.of()))
        .editSpec()
        .withShareProcessNamespace(true)
        .endSpec()
        .build();
  }

  @Test
  void generatesTheKubeletsContainerConfig() {
    Container spec =
        new ContainerBuilder(resources("app", "250m", "64Mi", "500m", "128Mi"))
            .withCommand("/bin/sh", "-c")
            .withArgs("echo $(GREETING) $(POD_IP) $(MISSING) $$(GREETING)")
            .addNewEnv()
            .withName("GREETING")
            .withValue("hello")
            .endEnv()
            .addNewEnv()
            .withName("POD_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.podIP")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .withWorkingDir("/work")
            .withStdin(true)
            .withStdinOnce(true)
            .withTty(true)
            .addNewPort()
            .withName("http")
            .withContainerPort(8080)
            .withHostPort(80)
            .endPort()
            .build();
    Pod pod = podOf(spec);
    Container c = pod.getSpec().getContainers().get(0);
    Mount termination =
        Mount.bind("/var/lib/berth/pods/x/termination", "/dev/termination-log", false);
    ContainerConfig cfg =
        configs.generate(
            pod,
            c,
            new ContainerConfigs.StartContext(
                3, "sha256:feed", List.of("10.0.0.2"), Map.of(), List.of(termination)));

    assertThat(cfg.metadata().name()).isEqualTo("app");
    assertThat(cfg.metadata().attempt()).isEqualTo(3);
    assertThat(cfg.image().image()).isEqualTo("sha256:feed");
    assertThat(cfg.command()).containsExactly("/bin/sh", "-c");
    assertThat(cfg.args()).containsExactly("echo hello 10.0.0.2 $(MISSING) $(GREETING)");
    assertThat(cfg.envs())
        .containsExactly(new EnvVar("GREETING", "hello"), new EnvVar("POD_IP", "10.0.0.2"));
    assertThat(cfg.workingDir()).isEqualTo("/work");
    assertThat(cfg.logPath()).isEqualTo("app/3.log");
    assertThat(cfg.stdin()).isTrue();
    assertThat(cfg.stdinOnce()).isTrue();
    assertThat(cfg.tty()).isTrue();
    assertThat(cfg.mounts()).containsExactly(termination);
    assertThat(cfg.labels())
        .isEqualTo(
            Map.of(
                RuntimeLabels.POD_NAME,
                "foo",
                RuntimeLabels.POD_NAMESPACE,
                "new",
                RuntimeLabels.POD_UID,
                UID,
                RuntimeLabels.CONTAINER_NAME,
                "app"));
    assertThat(cfg.annotations())
        .isEqualTo(
            Map.of(
                RuntimeLabels.CONTAINER_HASH,
                HASH.of(c),
                RuntimeLabels.CONTAINER_RESTART_COUNT,
                "3",
                RuntimeLabels.TERMINATION_MESSAGE_PATH,
                "/dev/termination-log",
                RuntimeLabels.TERMINATION_MESSAGE_POLICY,
                "File",
                RuntimeLabels.POD_TERMINATION_GRACE_PERIOD,
                "30",
                RuntimeLabels.CONTAINER_PORTS,
                "[{\"name\":\"http\",\"hostPort\":80,\"containerPort\":8080,\"protocol\":\"TCP\"}]"));
    var r = cfg.resources();
    assertThat(r.cpuShares()).isEqualTo(256);
    assertThat(r.cpuQuota()).isEqualTo(50_000);
    assertThat(r.cpuPeriod()).isEqualTo(100_000);
    assertThat(r.memoryLimitInBytes()).isEqualTo(128L << 20);
    assertThat(r.oomScoreAdj()).isEqualTo(1000 - (1000 * (64L << 20)) / (4L << 30));
    var sc = cfg.securityContext();
    assertThat(sc.namespaceOptions().pid()).isEqualTo(NamespaceMode.POD);
    assertThat(sc.seccomp()).isEqualTo(SecurityProfile.unconfined());
    assertThat(sc.maskedPaths()).contains("/proc/kcore");
    assertThat(sc.readonlyPaths()).contains("/proc/sys");
  }

  @Test
  void imageFromTheSpecWhenNoRefIsGiven() {
    Pod pod = podOf(container("app"));
    var cfg =
        configs.generate(
            pod,
            pod.getSpec().getContainers().get(0),
            ContainerConfigs.StartContext.of(0, List.of()));
    assertThat(cfg.image().image()).isEqualTo("busybox:1.36");
    assertThat(cfg.logPath()).isEqualTo("app/0.log");
  }

  @Test
  void securityContextMergesPodAndContainer() {
    Container spec =
        new ContainerBuilder(container("app"))
            .withNewSecurityContext()
            .withRunAsUser(7L)
            .withReadOnlyRootFilesystem(true)
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withAdd("NET_ADMIN")
            .withDrop("ALL")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .withProcMount("Unmasked")
            .endSecurityContext()
            .build();
    Pod pod =
        new PodBuilder(podOf(spec))
            .editSpec()
            .editSecurityContext()
            .withRunAsUser(1L)
            .withRunAsGroup(2L)
            .withFsGroup(3L)
            .endSecurityContext()
            .endSpec()
            .build();
    var sc = ContainerConfigs.securityContext(pod, pod.getSpec().getContainers().get(0), SECCOMP);
    assertThat(sc.runAsUser()).isEqualTo(7L);
    assertThat(sc.runAsGroup()).isEqualTo(2L);
    assertThat(sc.supplementalGroups()).containsExactly(3L);
    assertThat(sc.readonlyRootfs()).isTrue();
    assertThat(sc.noNewPrivs()).isTrue();
    assertThat(sc.capabilities().add()).containsExactly("NET_ADMIN");
    assertThat(sc.capabilities().drop()).containsExactly("ALL");
    assertThat(sc.seccomp()).isEqualTo(SecurityProfile.runtimeDefault());
    assertThat(sc.maskedPaths()).isEmpty();
  }

  @Test
  void localhostSeccompProfilesLiveUnderTheSeccompRoot() {
    var profile =
        new io.fabric8.kubernetes.api.model.SeccompProfile("profiles/deny.json", "Localhost");
    assertThat(ContainerConfigs.seccomp(profile, SECCOMP))
        .isEqualTo(SecurityProfile.localhost("/var/lib/berth/seccomp/profiles/deny.json"));
    assertThat(ContainerConfigs.seccomp(null, SECCOMP)).isEqualTo(SecurityProfile.unconfined());
  }

  @Test
  void missingConfigMapFailsTheContainerConfig() {
    Container spec =
        new ContainerBuilder(container("app"))
            .addNewEnv()
            .withName("X")
            .withNewValueFrom()
            .withNewConfigMapKeyRef()
            .withName("settings")
            .withKey("x")
            .endConfigMapKeyRef()
            .endValueFrom()
            .endEnv()
            .build();
    Pod pod = podOf(spec);
    assertThatThrownBy(
            () ->
                configs.generate(
                    pod,
                    pod.getSpec().getContainers().get(0),
                    ContainerConfigs.StartContext.of(0, List.of())))
        .isInstanceOf(ContainerConfigException.class)
        .hasMessage("configmap \"settings\" not found");
  }

  @Test
  void nextRestartCountFollowsTheNewestInstance() {
    Pod pod = basicPod();
    ObservedPod observed = allRunning(pod);
    assertThat(ContainerConfigs.nextRestartCount(observed, "foo1")).isEqualTo(1);
    assertThat(ContainerConfigs.nextRestartCount(observed, "nope")).isZero();
    var older = running(pod.getSpec().getContainers().get(0), 4);
    var o2 = new ObservedPod(UID, observed.sandboxes(), List.of(older));
    assertThat(ContainerConfigs.nextRestartCount(o2, "foo1")).isEqualTo(5);
  }

  @Test
  void restartCountFromLeftoverLogFiles() {
    assertThat(ContainerConfigs.restartCountFromLogFiles(List.of())).isZero();
    assertThat(
            ContainerConfigs.restartCountFromLogFiles(
                List.of("0.log", "3.log.20261124-090000", "2.log", "x.log", "log.7")))
        .isEqualTo(4);
  }
}
