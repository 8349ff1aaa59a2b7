package io.berth.tests.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriRuntime;
import io.berth.cri.ExecSyncResult;
import io.berth.cri.PodSandboxFilter;
import io.berth.tests.fixtures.ContainerdLauncher;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Pod features seen from inside real containers (issue #4): volumes of every kind berth supports
 * (emptyDir on disk and tmpfs with its size, configMap and secret from --static-object-dir with
 * modes and fsGroup, downwardAPI, hostPath, subPathExpr), read-only mounts, the managed /etc/hosts
 * with hostAliases, uid/gids; a ConfigMap edit reaching the volume; and the per-pod refusals —
 * forbidden sysctl, taken hostPort, runAsNonRoot with a root image, a traversing item path — while
 * the good pod keeps running. Removing the pod removes its volumes and tmpfs mounts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PodFeaturesIT {
  private static final String NODE = "berth-features-node";
  private BerthOnContainerd berth;
  private Path dir; // berth's root directory
  private Path manifests;
  private Path objects;
  private ContainerdLauncher containerd;
  private CriRuntime cri;
  private ServerSocketChannel heldPort;

  @BeforeAll
  void start() throws Exception {
    objects = Files.createTempDirectory("berth-features-objects-");
    writeObjects("port=80");
    berth =
        BerthOnContainerd.start(
            NODE,
            s ->
                s.withStaticObjectDir(objects)
                    .withTuning(s.tuning().withAdmission(110, List.of("net.core.somaxconn"))));
    dir = berth.dir;
    manifests = berth.manifests;
    containerd = berth.containerd;
    cri = berth.cri;
  }

  private void writeObjects(String conf) throws Exception {
    Path tmp = objects.resolve(".objects.tmp");
    Files.writeString(
        tmp,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: app}
        data: {app.conf: "%s"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        data: {password: czNjcjN0}
        """
            .formatted(conf));
    Files.move(tmp, objects.resolve("objects.yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @AfterAll
  void stop() throws Exception {
    if (heldPort != null) {
      heldPort.close();
    }
    if (berth != null) {
      // tmpfs volumes of pods still running go first, or the directory could not be removed
      for (String m : BerthPods.tmpfsMountsUnder(dir)) {
        new ProcessBuilder("umount", "-l", m).inheritIO().start().waitFor();
      }
      berth.close();
    }
    BerthPods.deleteTree(objects);
  }

  @Test
  void volumesSecurityAndHostsAsTheContainerSeesThem() throws Exception {
    Path hostVol = dir.resolve("hostvol");
    writePod(
        "features",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: features, labels: {app: features, tier: test}}
        spec:
          terminationGracePeriodSeconds: 2
          hostname: feat
          hostAliases: [{ip: 10.9.9.9, hostnames: [db.internal]}]
          securityContext: {fsGroup: 2000, runAsUser: 1000, runAsGroup: 3001, supplementalGroups: [3000]}
          containers:
          - name: main
            image: %s
            command: [sh, -c, "echo from-container > /scratch/made-here; echo sub > /sub/f; exec sleep 3600"]
            env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
            volumeMounts:
            - {name: scratch, mountPath: /scratch}
            - {name: mem, mountPath: /mem}
            - {name: cfg, mountPath: /etc/cfg}
            - {name: secret, mountPath: /etc/secret}
            - {name: info, mountPath: /etc/podinfo}
            - {name: scratch, mountPath: /sub, subPathExpr: "logs/$(POD_NAME)"}
            - {name: host, mountPath: /host, readOnly: true}
          volumes:
          - {name: scratch, emptyDir: {}}
          - {name: mem, emptyDir: {medium: Memory, sizeLimit: 8Mi}}
          - {name: cfg, configMap: {name: app, items: [{key: app.conf, path: conf/app.conf, mode: 0640}]}}
          - {name: secret, secret: {secretName: creds}}
          - {name: info, downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}}
          - {name: host, hostPath: {path: %s, type: DirectoryOrCreate}}
        """
            .formatted(containerd.busyboxImage(), hostVol));

    JsonNode pod = await(Duration.ofSeconds(60), () -> running("features"));
    String uid = pod.path("metadata").path("uid").asText();
    String ip = pod.path("status").path("podIP").asText();
    String id = containerId("features", "main");
    Files.writeString(hostVol.resolve("from-host"), "hello from the node");

    assertThat(exec(id, "id", "-u")).isEqualTo("1000");
    assertThat(exec(id, "id", "-g")).isEqualTo("3001");
    assertThat(exec(id, "id", "-G").split(" ")).contains("2000", "3000");
    assertThat(exec(id, "cat", "/etc/cfg/conf/app.conf")).isEqualTo("port=80");
    assertThat(exec(id, "stat", "-L", "-c", "%a %g", "/etc/cfg/conf/app.conf"))
        .isEqualTo("640 2000");
    assertThat(exec(id, "cat", "/etc/secret/password")).isEqualTo("s3cr3t");
    assertThat(exec(id, "stat", "-L", "-c", "%a %g", "/etc/secret/password"))
        .as("secrets are 0400 by default, group-readable for the fsGroup")
        .isEqualTo("440 2000");
    String mounts = exec(id, "cat", "/proc/mounts");
    assertThat(mountLine(mounts, "/etc/secret")).startsWith("tmpfs /etc/secret tmpfs ro,");
    assertThat(mountLine(mounts, "/mem")).startsWith("tmpfs /mem tmpfs rw,").contains("size=8192k");
    assertThat(mountLine(mounts, "/etc/cfg")).contains(" ro,");
    assertThat(execResult(id, "touch", "/etc/cfg/new").exitCode())
        .as("configMap is read-only")
        .isNotZero();
    assertThat(exec(id, "cat", "/etc/podinfo/labels")).isEqualTo("app=\"features\"\ntier=\"test\"");
    assertThat(exec(id, "cat", "/host/from-host")).isEqualTo("hello from the node");
    assertThat(execResult(id, "touch", "/host/x").exitCode()).as("readOnly hostPath").isNotZero();
    Path volumes = dir.resolve("pods/" + uid + "/volumes");
    assertThat(Files.readString(volumes.resolve("kubernetes.io~empty-dir/scratch/made-here")))
        .isEqualTo("from-container\n");
    assertThat(
            Files.readString(
                volumes.resolve("kubernetes.io~empty-dir/scratch/logs/features-" + NODE + "/f")))
        .as("subPathExpr expanded with the container's env")
        .isEqualTo("sub\n");
    String hosts = exec(id, "cat", "/etc/hosts");
    assertThat(hosts)
        .contains(ip + "\tfeat\n")
        .endsWith("# Entries added by HostAliases.\n10.9.9.9\tdb.internal");
    assertThat(execResult(id, "test", "-w", "/dev/termination-log").exitCode()).isZero();

    writeObjects("port=81");
    await(
        Duration.ofSeconds(30),
        () ->
            exec(id, "cat", "/etc/cfg/conf/app.conf").equals("port=81")
                ? Optional.of(true)
                : Optional.empty());

    Files.delete(manifests.resolve("features.yaml"));
    await(
        Duration.ofSeconds(20),
        () -> Files.exists(dir.resolve("pods/" + uid)) ? Optional.empty() : Optional.of(true));
    assertThat(BerthPods.tmpfsMountsUnder(dir)).as("tmpfs volumes unmounted").isEmpty();
  }

  @Test
  void badPodsAreRefusedWithTheirReasonWhileAGoodPodRuns() throws Exception {
    heldPort = ServerSocketChannel.open();
    heldPort.bind(new InetSocketAddress("0.0.0.0", 0));
    int taken = ((InetSocketAddress) heldPort.getLocalAddress()).getPort();
    writePod("good", simplePod("good", ""));
    writePod(
        "sysctl",
        simplePod(
            "sysctl", "  securityContext: {sysctls: [{name: kernel.msgmax, value: '65536'}]}\n"));
    writePod(
        "hostport",
        simplePod("hostport", "")
            .replace(
                "command:", "ports: [{containerPort: 80, hostPort: " + taken + "}]\n    command:"));
    writePod("nonroot", simplePod("nonroot", "  securityContext: {runAsNonRoot: true}\n"));
    writePod(
        "traversal",
        simplePod(
            "traversal",
            "  volumes: [{name: v, configMap: {name: app, items: [{key: app.conf, path: ../../escape}]}}]\n"));

    writePod(
        "bigdir",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: bigdir}
        spec:
          terminationGracePeriodSeconds: 2
          containers:
          - name: main
            image: %s
            command: [sh, -c, "dd if=/dev/zero of=/scratch/fill bs=1M count=3; exec sleep 3600"]
            volumeMounts: [{name: scratch, mountPath: /scratch}]
          volumes: [{name: scratch, emptyDir: {sizeLimit: 1Mi}}]
        """
            .formatted(containerd.busyboxImage()));

    JsonNode sysctl = await(Duration.ofSeconds(20), () -> phase("sysctl", "Failed"));
    assertThat(sysctl.path("status").path("reason").asText()).isEqualTo("SysctlForbidden");
    assertThat(sysctl.path("status").path("message").asText())
        .isEqualTo(
            "Pod was rejected: forbidden sysctl: \"kernel.msgmax\" not allowlisted (unsafe sysctls need allowedUnsafeSysctls)");
    JsonNode hostPort = await(Duration.ofSeconds(20), () -> phase("hostport", "Failed"));
    assertThat(hostPort.path("status").path("reason").asText()).isEqualTo("NodePorts");
    assertThat(hostPort.path("status").path("message").asText())
        .contains("TCP/0.0.0.0:" + taken + " is already bound by a process on the node");
    JsonNode nonRoot =
        await(Duration.ofSeconds(20), () -> waitingReason("nonroot", "CreateContainerConfigError"));
    assertThat(nonRoot.path("message").asText())
        .contains("container has runAsNonRoot and image will run as root");
    JsonNode traversal =
        await(Duration.ofSeconds(20), () -> waitingReason("traversal", "ContainerCreating"));
    assertThat(traversal.path("message").asText())
        .contains("\"../../escape\": must not contain '..'");
    assertThat(Files.exists(dir.resolve("escape"))).isFalse();

    // a static pod over its emptyDir limit is critical to the kubelet's eviction manager: never
    // evicted (ApiServerPodsIT evicts an API pod)
    await(Duration.ofSeconds(40), () -> running("bigdir"));
    Thread.sleep(io.berth.agent.pod.LocalStorageEviction.PERIOD.plusSeconds(2).toMillis());
    JsonNode spared = pod("bigdir").orElseThrow();
    assertThat(spared.path("status").path("phase").asText()).isEqualTo("Running");
    assertThat(spared.path("status").path("reason").asText()).isEmpty();

    JsonNode good = await(Duration.ofSeconds(60), () -> running("good"));
    assertThat(good.path("status").path("containerStatuses").path(0).path("restartCount").asInt())
        .isZero();
    String metrics = get("/metrics");
    assertThat(io.berth.tests.fixtures.Promtool.checkMetrics(metrics)).isEmpty();
    assertThat(sample(metrics, "berth_pod_start_sli_duration_seconds_count"))
        .isGreaterThanOrEqualTo(1);
    assertThat(sample(metrics, "berth_pod_worker_duration_seconds_count{operation=\"sync\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(sample(metrics, "berth_pleg_relist_duration_seconds_count"))
        .isGreaterThanOrEqualTo(1);
    assertThat(sample(metrics, "berth_running_pods")).isGreaterThanOrEqualTo(1);
    assertThat(sandboxNames())
        .as("refused pods never got a sandbox")
        .doesNotContain("sysctl-" + NODE, "hostport-" + NODE);
  }

  @Test
  void lifecycleHooksAndTerminationMessages() throws Exception {
    java.util.concurrent.BlockingQueue<String> preStops =
        new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer node =
        com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    node.createContext(
        "/",
        ex -> {
          preStops.add(
              ex.getRequestURI().getPath() + " " + ex.getRequestHeaders().getFirst("X-Hook"));
          ex.sendResponseHeaders(500, -1); // a status code does not fail a hook, as in the kubelet
          ex.close();
        });
    node.start();
    try {
      writePod(
          "hooks",
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: hooks}
          spec:
            terminationGracePeriodSeconds: 5
            containers:
            - name: main
              image: %s
              command: [sh, -c, "sleep 1; cat /tmp/hooked > /tmp/seen; exec sleep 3600"]
              lifecycle:
                postStart: {exec: {command: [sh, -c, "echo hooked > /tmp/hooked"]}}
                preStop: {httpGet: {host: 127.0.0.1, port: %d, path: /prestop, httpHeaders: [{name: X-Hook, value: berth}]}}
          """
              .formatted(containerd.busyboxImage(), node.getAddress().getPort()));
      writePod(
          "badhook",
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: badhook}
          spec:
            terminationGracePeriodSeconds: 2
            containers:
            - name: main
              image: %s
              command: [sleep, "3600"]
              lifecycle:
                postStart: {exec: {command: [sh, -c, "exit 3"]}}
          """
              .formatted(containerd.busyboxImage()));
      writePod(
          "messages",
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: messages}
          spec:
            restartPolicy: Never
            containers:
            - name: file
              image: %1$s
              command: [sh, -c, "echo bye from the file > /var/run/result; exit 2"]
              terminationMessagePath: /var/run/result
              securityContext: {runAsUser: 1000}
            - name: logs
              image: %1$s
              terminationMessagePolicy: FallbackToLogsOnError
              command: [sh, -c, "echo first; echo last words; exit 4"]
          """
              .formatted(containerd.busyboxImage()));

      JsonNode hooks = await(Duration.ofSeconds(60), () -> running("hooks"));
      String id = containerId("hooks", "main");
      await(
          Duration.ofSeconds(10),
          () ->
              execResult(id, "cat", "/tmp/seen").exitCode() == 0
                  ? Optional.of(true)
                  : Optional.empty());
      assertThat(exec(id, "cat", "/tmp/seen"))
          .as("postStart ran in the container")
          .isEqualTo("hooked");

      JsonNode bad =
          await(
              Duration.ofSeconds(30),
              () ->
                  pod("badhook")
                      .filter(
                          p ->
                              p.path("status")
                                      .path("containerStatuses")
                                      .path(0)
                                      .path("restartCount")
                                      .asInt()
                                  >= 1));
      assertThat(
              bad.path("status")
                  .path("containerStatuses")
                  .path(0)
                  .path("lastState")
                  .path("terminated")
                  .path("exitCode")
                  .asInt())
          .as("killed after the failed postStart hook")
          .isEqualTo(137);

      JsonNode messages = await(Duration.ofSeconds(20), () -> phase("messages", "Failed"));
      Map<String, JsonNode> byName = new java.util.TreeMap<>();
      messages
          .path("status")
          .path("containerStatuses")
          .forEach(c -> byName.put(c.path("name").asText(), c));
      JsonNode file = byName.get("file").path("state").path("terminated");
      assertThat(file.path("exitCode").asInt()).isEqualTo(2);
      assertThat(file.path("message").asText()).isEqualTo("bye from the file\n");
      JsonNode logs = byName.get("logs").path("state").path("terminated");
      assertThat(logs.path("exitCode").asInt()).isEqualTo(4);
      assertThat(logs.path("message").asText()).isEqualTo("first\nlast words\n");

      Files.delete(manifests.resolve("hooks.yaml"));
      assertThat(preStops.poll(20, java.util.concurrent.TimeUnit.SECONDS))
          .as("preStop httpGet reached the node")
          .isEqualTo("/prestop berth");
    } finally {
      node.stop(0);
    }
  }

  @Test
  void securityContextNamespacesDnsAndDeadline() throws Exception {
    writePod(
        "secure",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: secure}
        spec:
          terminationGracePeriodSeconds: 2
          shareProcessNamespace: true
          dnsPolicy: None
          securityContext:
            sysctls:
            - {name: net.ipv4.ip_local_port_range, value: "40000 50000"}
            - {name: net.core.somaxconn, value: "1234"}
          dnsConfig: {nameservers: [10.96.0.10], searches: [svc.cluster.local], options: [{name: ndots, value: "2"}]}
          containers:
          - name: main
            image: %1$s
            command: [sleep, "3600"]
            securityContext:
              capabilities: {drop: [ALL], add: [NET_ADMIN]}
              allowPrivilegeEscalation: false
              readOnlyRootFilesystem: true
              seccompProfile: {type: RuntimeDefault}
          - name: priv
            image: %1$s
            command: [sleep, "3600"]
            securityContext: {privileged: true}
          - name: buddy
            image: %1$s
            command: [sh, -c, "exec sleep 4242"]
        """
            .formatted(containerd.busyboxImage()));
    writePod(
        "hostpid",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: hostpid}
        spec:
          terminationGracePeriodSeconds: 2
          hostPID: true
          containers:
          - {name: main, image: %s, command: [sleep, "3600"]}
        """
            .formatted(containerd.busyboxImage()));
    writePod(
        "hostnet",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: hostnet}
        spec:
          terminationGracePeriodSeconds: 2
          hostNetwork: true
          hostAliases: [{ip: 10.7.7.7, hostnames: [viahost]}]
          containers:
          - {name: main, image: %s, command: [sleep, "3600"]}
        """
            .formatted(containerd.busyboxImage()));
    writePod(
        "deadline",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: deadline}
        spec:
          terminationGracePeriodSeconds: 2
          activeDeadlineSeconds: 3
          containers:
          - {name: main, image: %s, command: [sleep, "3600"]}
        """
            .formatted(containerd.busyboxImage()));

    await(Duration.ofSeconds(60), () -> running("secure"));
    String id = containerId("secure", "main");
    String status = exec(id, "cat", "/proc/self/status");
    long netAdmin = 1L << 12;
    assertThat(Long.parseLong(field(status, "CapEff"), 16))
        .as("only NET_ADMIN")
        .isEqualTo(netAdmin);
    assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
    assertThat(field(status, "Seccomp")).as("RuntimeDefault is a filter").isEqualTo("2");
    assertThat(execResult(id, "touch", "/rootfs-write").exitCode())
        .as("read-only root")
        .isNotZero();
    assertThat(exec(id, "sh", "-c", "cat /proc/[0-9]*/cmdline | tr '\\0' ' '"))
        .as("shareProcessNamespace: the buddy's process is visible")
        .contains("sleep 4242");
    assertThat(exec(id, "cat", "/etc/resolv.conf"))
        .contains("nameserver 10.96.0.10")
        .contains("search svc.cluster.local")
        .contains("options ndots:2");

    assertThat(exec(id, "cat", "/proc/sys/net/ipv4/ip_local_port_range"))
        .as("a safe sysctl is applied in the pod")
        .isEqualTo("40000\t50000");
    assertThat(exec(id, "cat", "/proc/sys/net/core/somaxconn"))
        .as("an unsafe sysctl the node's allowedUnsafeSysctls allows is applied too")
        .isEqualTo("1234");
    String priv = exec(containerId("secure", "priv"), "cat", "/proc/self/status");
    assertThat(Long.bitCount(Long.parseLong(field(priv, "CapEff"), 16)))
        .as("privileged: every capability")
        .isGreaterThanOrEqualTo(38);

    JsonNode hostNet = await(Duration.ofSeconds(60), () -> running("hostnet"));
    assertThat(hostNet.path("status").path("podIP").asText())
        .as("a hostNetwork pod has the node's IP")
        .isEqualTo(hostNet.path("status").path("hostIP").asText());
    assertThat(exec(containerId("hostnet", "main"), "cat", "/etc/hosts"))
        .as("the node's hosts file plus the aliases")
        .startsWith(Files.readString(Path.of("/etc/hosts")).strip().lines().findFirst().orElse(""))
        .endsWith("# Entries added by HostAliases.\n10.7.7.7\tviahost");

    await(Duration.ofSeconds(60), () -> running("hostpid"));
    String hostPidId = containerId("hostpid", "main");
    assertThat(Integer.parseInt(exec(hostPidId, "sh", "-c", "ls -d /proc/[0-9]* | wc -l")))
        .as("hostPID sees the node's processes")
        .isGreaterThan(20);

    JsonNode deadline = await(Duration.ofSeconds(20), () -> phase("deadline", "Failed"));
    assertThat(deadline.path("status").path("reason").asText()).isEqualTo("DeadlineExceeded");
    await(
        Duration.ofSeconds(20),
        () ->
            pod("deadline")
                .map(p -> p.path("status").path("containerStatuses").path(0).path("state"))
                .filter(st -> st.has("terminated")));
  }

  @Test
  void seccompProfilesProcMountAndTheSleepHook() throws Exception {
    // a Localhost profile under <root-dir>/seccomp that refuses mkdir, as a node admin installs it
    Path profiles = Files.createDirectories(dir.resolve("seccomp/profiles"));
    Files.writeString(
        profiles.resolve("deny-mkdir.json"),
        """
        {"defaultAction": "SCMP_ACT_ALLOW",
         "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
        """);
    Path out = Files.createTempDirectory("berth-features-sleep-");
    try {
      writePod(
          "seccomp",
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: seccomp}
          spec:
            terminationGracePeriodSeconds: 10
            volumes: [{name: out, hostPath: {path: %2$s, type: Directory}}]
            containers:
            - name: local
              image: %1$s
              command: [sleep, "3600"]
              securityContext:
                seccompProfile: {type: Localhost, localhostProfile: profiles/deny-mkdir.json}
            - name: unconfined
              image: %1$s
              command: [sleep, "3600"]
              securityContext: {seccompProfile: {type: Unconfined}}
            - name: unmasked
              image: %1$s
              command: [sleep, "3600"]
              securityContext: {procMount: Unmasked}
            - name: sleeper
              image: %1$s
              command: [sh, -c, "trap 'cat /proc/uptime > /out/term; exit 0' TERM; while true; do sleep 0.1; done"]
              volumeMounts: [{name: out, mountPath: /out}]
              lifecycle:
                preStop: {sleep: {seconds: 3}}
          """
              .formatted(containerd.busyboxImage(), out));
      await(
          Duration.ofSeconds(60),
          () ->
              pod("seccomp")
                  .filter(
                      p -> {
                        int running = 0;
                        for (JsonNode c : p.path("status").path("containerStatuses")) {
                          running += c.path("state").has("running") ? 1 : 0;
                        }
                        return running == 4;
                      }));
      String local = containerId("seccomp", "local");
      assertThat(field(exec(local, "cat", "/proc/self/status"), "Seccomp"))
          .as("a Localhost profile is a filter")
          .isEqualTo("2");
      ExecSyncResult mkdir = execResult(local, "mkdir", "/tmp/refused");
      assertThat(mkdir.exitCode()).as("the profile refuses mkdir").isNotZero();
      assertThat(new String(mkdir.stderr(), StandardCharsets.UTF_8))
          .contains("Operation not permitted");
      assertThat(execResult(local, "touch", "/tmp/allowed").exitCode())
          .as("everything else is allowed")
          .isZero();
      String unconfined = containerId("seccomp", "unconfined");
      assertThat(field(exec(unconfined, "cat", "/proc/self/status"), "Seccomp"))
          .as("Unconfined: no filter")
          .isEqualTo("0");
      assertThat(execResult(unconfined, "mkdir", "/tmp/fine").exitCode()).isZero();
      assertThat(mountLine(exec(local, "cat", "/proc/self/mounts"), "/proc/keys"))
          .as("procMount Default masks /proc/keys")
          .isNotEqualTo("<none>");
      assertThat(mountLine(exec(local, "cat", "/proc/self/mounts"), "/proc/sys"))
          .as("procMount Default: /proc/sys read-only")
          .contains(" ro,");
      String unmasked = exec(containerId("seccomp", "unmasked"), "cat", "/proc/self/mounts");
      assertThat(mountLine(unmasked, "/proc/keys"))
          .as("procMount Unmasked: nothing masked")
          .isEqualTo("<none>");
      assertThat(mountLine(unmasked, "/proc/sys")).as("nor read-only").isEqualTo("<none>");

      double deletedAt = uptime();
      Files.delete(manifests.resolve("seccomp.yaml"));
      Path term = out.resolve("term");
      await(Duration.ofSeconds(30), () -> Optional.of(term).filter(Files::isReadable));
      await(
          Duration.ofSeconds(5),
          () -> Optional.of(Files.readString(term)).filter(t -> !t.isBlank()));
      double termAt = Double.parseDouble(Files.readString(term).split(" ")[0]);
      assertThat(termAt - deletedAt)
          .as("SIGTERM came after the 3 s preStop sleep, well inside the 10 s grace")
          .isBetween(2.95, 9.0);
    } finally {
      BerthPods.deleteTree(out);
    }
  }

  private static double uptime() throws Exception {
    return Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
  }

  /** The value of the first sample whose line starts with {@code prefix}. */
  private static double sample(String exposition, String prefix) {
    return exposition
        .lines()
        .filter(l -> l.startsWith(prefix))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError(prefix + " not in /metrics"));
  }

  private static String field(String procStatus, String name) {
    return procStatus
        .lines()
        .filter(l -> l.startsWith(name + ":"))
        .map(l -> l.substring(name.length() + 1).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in /proc/self/status"));
  }

  private String simplePod(String name, String specExtra) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s}
        spec:
          terminationGracePeriodSeconds: 2
        %s  containers:
          - name: main
            image: %s
            command: [sleep, "3600"]
        """
        .formatted(name, specExtra, containerd.busyboxImage());
  }

  private void writePod(String name, String yaml) throws Exception {
    Path tmp = manifests.resolve("." + name + ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(
        tmp, manifests.resolve(name + ".yaml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private List<String> sandboxNames() {
    return cri.runtime().listPodSandbox(PodSandboxFilter.all()).stream()
        .map(s -> s.metadata().name())
        .toList();
  }

  private String containerId(String pod, String container) {
    return cri
        .runtime()
        .listContainers(
            ContainerFilter.withLabels(
                Map.of(
                    "io.kubernetes.pod.name",
                    pod + "-" + NODE,
                    "io.kubernetes.container.name",
                    container)))
        .stream()
        .filter(c -> c.state() == io.berth.cri.ContainerState.RUNNING)
        .findFirst()
        .orElseThrow()
        .id();
  }

  private ExecSyncResult execResult(String id, String... cmd) {
    return cri.runtime().execSync(id, List.of(cmd), Duration.ofSeconds(10));
  }

  private String exec(String id, String... cmd) {
    ExecSyncResult r = execResult(id, cmd);
    assertThat(r.exitCode())
        .as(String.join(" ", cmd) + ": " + new String(r.stderr(), StandardCharsets.UTF_8))
        .isZero();
    return new String(r.stdout(), StandardCharsets.UTF_8).strip();
  }

  private static String mountLine(String mounts, String target) {
    return mounts.lines().filter(l -> l.split(" ")[1].equals(target)).findFirst().orElse("<none>");
  }

  private Optional<JsonNode> pod(String name) throws Exception {
    for (JsonNode p : berth.pods.all().values()) {
      if (p.path("metadata").path("name").asText().equals(name + "-" + NODE)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private Optional<JsonNode> running(String name) throws Exception {
    return pod(name)
        .filter(p -> p.path("status").path("phase").asText().equals("Running"))
        .filter(
            p -> p.path("status").path("containerStatuses").path(0).path("state").has("running"));
  }

  private Optional<JsonNode> phase(String name, String phase) throws Exception {
    return pod(name).filter(p -> p.path("status").path("phase").asText().equals(phase));
  }

  private Optional<JsonNode> waitingReason(String name, String reason) throws Exception {
    return pod(name)
        .map(p -> p.path("status").path("containerStatuses").path(0).path("state").path("waiting"))
        .filter(w -> w.path("reason").asText().equals(reason));
  }

  private String get(String path) throws Exception {
    return berth.pods.get(path);
  }

  private <T> T await(Duration timeout, Callable<Optional<T>> probe) throws Exception {
    return berth.pods.await(timeout, probe);
  }
}
