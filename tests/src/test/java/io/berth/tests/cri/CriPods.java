package io.berth.tests.cri;

import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerMetadata;
import io.berth.cri.NamespaceOptions;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxMetadata;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Sandbox and container configs shaped like the ones the kubelet sends, for one private containerd:
 * the pod cgroup goes under the launcher's cgroup parent, logs under its log root.
 */
record CriPods(ContainerdLauncher containerd) {

  /** A fresh pod sandbox config named {@code name} with a random UID. */
  PodSandboxConfig sandbox(String name) {
    String uid = UUID.randomUUID().toString();
    Path logDir = containerd.podLogRoot().resolve("default_" + name + "_" + uid);
    return PodSandboxConfig.builder(new PodSandboxMetadata(name, uid, "default", 0))
        .hostname(name)
        .logDirectory(logDir.toString())
        .label("io.kubernetes.pod.name", name)
        .label("io.kubernetes.pod.namespace", "default")
        .label("io.kubernetes.pod.uid", uid)
        .label("berth.test/pod", name)
        .linux(containerd.cgroupParent() + "/pod" + uid, NamespaceOptions.podDefaults())
        .build();
  }

  /** A busybox container running {@code sh -c script}, logging to {@code <name>/0.log}. */
  ContainerConfig shell(String name, String script) {
    return ContainerConfig.builder(new ContainerMetadata(name, 0), containerd.busyboxImage())
        .command("sh", "-c", script)
        .logPath(name + "/0.log")
        .label("io.kubernetes.container.name", name)
        .build();
  }
}
