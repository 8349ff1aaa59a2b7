package io.berth.agent.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.berth.agent.kuberuntime.ConfigSource;
import io.berth.agent.kuberuntime.EnvResolver;
import io.berth.agent.kuberuntime.NodeContext;
import io.berth.agent.testing.FakeClock;
import io.berth.cri.Mount;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodVolumesTest {
  @TempDir Path root;
  @TempDir Path host;
  final FakeMounter mounter = new FakeMounter();
  final Map<String, Map<String, String>> configMaps =
      Map.of("default/app", Map.of("app.conf", "port=80\n", "extra", "e"));
  final Map<String, Map<String, String>> secrets =
      Map.of("default/creds", Map.of("password", "s3cr3t"));
  final ConfigSource configs = source(() -> configMaps, () -> secrets);

  /** ConfigMaps and Secrets by "namespace/name", read on every call. */
  static ConfigSource source(
      java.util.function.Supplier<Map<String, Map<String, String>>> configMaps,
      java.util.function.Supplier<Map<String, Map<String, String>>> secrets) {
    return new ConfigSource() {
      @Override
      public Optional<Map<String, String>> configMap(String ns, String name) {
        return Optional.ofNullable(configMaps.get().get(ns + "/" + name)).map(Map::copyOf);
      }

      @Override
      public Optional<Map<String, String>> secret(String ns, String name) {
        return Optional.ofNullable(secrets.get().get(ns + "/" + name)).map(Map::copyOf);
      }
    };
  }

  final NodeContext node =
      new NodeContext(
          "node-a", List.of("10.0.0.5"), Map.of("memory", new Quantity("8Gi")), 8L << 30);

  PodVolumes volumes() throws Exception {
    Path nodeHosts = host.resolve("hosts");
    Files.writeString(nodeHosts, "127.0.0.1 localhost\n10.0.0.5 node-a\n");
    return new PodVolumes(
        root,
        new FakeClock(),
        new ProjectedPayloads(configs, new EnvResolver(node, configs)),
        mounter,
        "cluster.local",
        nodeHosts);
  }

  static Pod pod(String yaml) throws Exception {
    return new ObjectMapper(new YAMLFactory()).readValue(yaml, Pod.class);
  }

  static final String HEADER =
      """
      apiVersion: v1
      kind: Pod
      metadata: {name: web, namespace: default, uid: u-1, labels: {app: web, tier: front}}
      """;

  Path vol(String plugin, String name) {
    return root.resolve("pods/u-1/volumes/kubernetes.io~" + plugin + "/" + name);
  }

  static int mode(Path p) throws Exception {
    return AtomicWriter.modeOf(Files.getPosixFilePermissions(p));
  }

  @Test
  void emptyDirsOnDiskAndInMemory() throws Exception {
    Pod pod =
        pod(
            HEADER
                + """
                spec:
                  containers: [{name: c, image: i, resources: {limits: {memory: 64Mi}}}]
                  volumes:
                  - {name: scratch, emptyDir: {}}
                  - {name: fast, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
                  - {name: podsized, emptyDir: {medium: Memory}}
                """);

    var dirs = volumes().setUp(pod);

    assertThat(dirs.get("scratch").path()).isEqualTo(vol("empty-dir", "scratch"));
    assertThat(mode(vol("empty-dir", "scratch"))).isEqualTo(0777);
    assertThat(mounter.calls)
        .containsExactly("tmpfs fast size=16777216", "tmpfs podsized size=67108864");
    assertThat(dirs.get("fast").readOnly()).isFalse();
  }

  @Test
  void configMapItemsModesAndReadOnlyMounts() throws Exception {
    Pod pod =
        pod(
            HEADER
                + """
                spec:
                  containers:
                  - name: c
                    image: i
                    volumeMounts: [{name: cfg, mountPath: /etc/app}, {name: whole, mountPath: /etc/whole}]
                  volumes:
                  - name: cfg
                    configMap: {name: app, defaultMode: 0600, items: [{key: app.conf, path: conf/app.conf}, {key: extra, path: x, mode: 0444}]}
                  - {name: whole, configMap: {name: app}}
                """);
    PodVolumes v = volumes();

    var dirs = v.setUp(pod);
    List<Mount> mounts =
        v.containerMounts(
            pod, pod.getSpec().getContainers().get(0), dirs, () -> Map.of(), List.of());

    assertThat(Files.readString(vol("configmap", "cfg").resolve("conf/app.conf")))
        .isEqualTo("port=80\n");
    assertThat(mode(vol("configmap", "cfg").resolve("conf/app.conf").toRealPath())).isEqualTo(0600);
    assertThat(mode(vol("configmap", "cfg").resolve("x").toRealPath())).isEqualTo(0444);
    assertThat(Files.readString(vol("configmap", "whole").resolve("extra"))).isEqualTo("e");
    assertThat(mode(vol("configmap", "whole").resolve("extra").toRealPath())).isEqualTo(0644);
    assertThat(mounts)
        .filteredOn(m -> m.containerPath().startsWith("/etc/"))
        .allSatisfy(m -> assertThat(m.readonly()).isTrue())
        .hasSize(2);
    assertThat(mounter.calls).isEmpty();
  }

  @Test
  void aChangedConfigMapReachesTheVolumeOnTheNextSetUp() throws Exception {
    Pod pod =
        pod(
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: cfg, configMap: {name: live}}]}");
    var live = new java.util.HashMap<String, String>(Map.of("k", "v1"));
    PodVolumes v =
        new PodVolumes(
            root,
            new FakeClock(),
            new ProjectedPayloads(
                source(() -> Map.of("default/live", live), Map::of),
                new EnvResolver(node, configs)),
            mounter,
            null,
            host.resolve("none"));
    v.setUp(pod);
    live.put("k", "v2");

    v.setUp(pod);

    assertThat(Files.readString(vol("configmap", "cfg").resolve("k"))).isEqualTo("v2");
  }

  @Test
  void secretsLiveOnTmpfsWith0400ByDefault() throws Exception {
    Pod pod =
        pod(
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: s, secret: {secretName: creds}}]}");

    volumes().setUp(pod);

    assertThat(mounter.calls).containsExactly("tmpfs s");
    Path f = vol("secret", "s").resolve("password");
    assertThat(Files.readString(f)).isEqualTo("s3cr3t");
    assertThat(mode(f.toRealPath())).isEqualTo(0400);
  }

  @Test
  void fsGroupAddsGroupReadAndOwnership() throws Exception {
    Pod pod =
        pod(
            HEADER
                + """
                spec:
                  securityContext: {fsGroup: 2345}
                  containers: [{name: c, image: i}]
                  volumes: [{name: s, secret: {secretName: creds}}, {name: e, emptyDir: {}}]
                """);

    volumes().setUp(pod);

    Path f = vol("secret", "s").resolve("password").toRealPath();
    assertThat(mode(f)).isEqualTo(0440);
    assertThat(Files.getAttribute(f, "unix:gid")).isEqualTo(2345);
    assertThat(Files.getAttribute(vol("empty-dir", "e"), "unix:gid")).isEqualTo(2345);
    assertThat((Integer) Files.getAttribute(vol("empty-dir", "e"), "unix:mode") & 07777)
        .isEqualTo(02777);
  }

  @Test
  void missingObjectsAndKeysFailUnlessOptional() throws Exception {
    PodVolumes v = volumes();
    assertThatThrownBy(
            () ->
                v.setUp(
                    pod(
                        HEADER
                            + "spec: {containers: [{name: c, image: i}], volumes: [{name: m, configMap: {name: nope}}]}")))
        .isInstanceOf(VolumeException.class)
        .hasMessage("volume \"m\": configmap \"default/nope\" not found");
    assertThatThrownBy(
            () ->
                v.setUp(
                    pod(
                        HEADER
                            + "spec: {containers: [{name: c, image: i}], volumes: [{name: m, secret: {secretName: creds, items: [{key: user, path: u}]}}]}")))
        .hasMessageContaining("has no key \"user\"");

    v.setUp(
        pod(
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: m, configMap: {name: nope, optional: true}}]}"));
    assertThat(vol("configmap", "m")).isDirectory();
  }

  @Test
  void unsupportedVolumeTypesAreRefusedByName() throws Exception {
    Pod pod =
        pod(
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: n, nfs: {server: x, path: /e}}]}");

    assertThatThrownBy(() -> volumes().setUp(pod))
        .isInstanceOf(VolumeException.class)
        .hasMessage("volume \"n\": this volume type is not supported by berth");
  }

  @Test
  void traversalInItemPathsIsRefused() throws Exception {
    Pod pod =
        pod(
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: m, configMap: {name: app, items: [{key: extra, path: ../../../../etc/x}]}}]}");

    assertThatThrownBy(() -> volumes().setUp(pod))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("volume \"m\" path \"../../../../etc/x\": must not contain '..'");
    assertThat(root.resolve("pods/u-1/volumes/kubernetes.io~configmap/m/..data")).doesNotExist();
  }

  @Test
  void downwardApiAndProjectedFiles() throws Exception {
    Pod pod =
        pod(
            HEADER
                + """
                spec:
                  containers: [{name: c, image: i, resources: {limits: {memory: 64Mi}}}]
                  volumes:
                  - name: info
                    downwardAPI:
                      items:
                      - {path: labels, fieldRef: {fieldPath: metadata.labels}}
                      - {path: name, fieldRef: {fieldPath: metadata.name}}
                      - {path: mem, resourceFieldRef: {containerName: c, resource: limits.memory, divisor: 1Mi}}
                  - name: all
                    projected:
                      sources:
                      - configMap: {name: app, items: [{key: app.conf, path: app.conf}]}
                      - secret: {name: creds}
                      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
                """);

    volumes().setUp(pod);

    assertThat(Files.readString(vol("downward-api", "info").resolve("labels")))
        .isEqualTo("app=\"web\"\ntier=\"front\"");
    assertThat(Files.readString(vol("downward-api", "info").resolve("name"))).isEqualTo("web");
    assertThat(Files.readString(vol("downward-api", "info").resolve("mem"))).isEqualTo("64");
    Path all = vol("projected", "all");
    assertThat(Files.readString(all.resolve("app.conf"))).isEqualTo("port=80\n");
    assertThat(Files.readString(all.resolve("password"))).isEqualTo("s3cr3t");
    assertThat(Files.readString(all.resolve("ns"))).isEqualTo("default");
    assertThat(mounter.calls).containsExactly("tmpfs info", "tmpfs all");
  }

  @Test
  void hostPathTypesAreChecked() throws Exception {
    Path sock = host.resolve("s.sock");
    try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.bind(UnixDomainSocketAddress.of(sock));
      Files.createDirectories(host.resolve("dir"));
      Files.writeString(host.resolve("file"), "x");
      PodVolumes v = volumes();
      String ok =
          """
          spec:
            containers: [{name: c, image: i}]
            volumes:
            - {name: a, hostPath: {path: %1$s/made/deep, type: DirectoryOrCreate}}
            - {name: b, hostPath: {path: %1$s/dir, type: Directory}}
            - {name: c, hostPath: {path: %1$s/newfile, type: FileOrCreate}}
            - {name: d, hostPath: {path: %1$s/file, type: File}}
            - {name: e, hostPath: {path: %1$s/s.sock, type: Socket}}
            - {name: f, hostPath: {path: /dev/null, type: CharDevice}}
            - {name: g, hostPath: {path: %1$s/anything}}
          """
              .formatted(host);

      var dirs = v.setUp(pod(HEADER + ok));

      assertThat(host.resolve("made/deep")).isDirectory();
      assertThat(host.resolve("newfile")).isRegularFile();
      assertThat(dirs.get("d").path()).isEqualTo(host.resolve("file"));

      for (String[] bad :
          new String[][] {
            {host + "/file", "Directory", "is not a directory"},
            {host + "/dir", "File", "is not a file"},
            {host + "/missing", "Socket", "does not exist"},
            {host + "/file", "Socket", "is not a socket"},
            {"/dev/null", "BlockDevice", "is not a block device"},
            {host + "/file", "DirectoryOrCreate", "is not a directory"},
            {host + "/nodir/f", "FileOrCreate", "parent directory does not exist"},
            {host + "/file", "Fifo", "unknown hostPath type"},
          }) {
        String yaml =
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: h, hostPath: {path: '%s', type: %s}}]}"
                    .formatted(bad[0], bad[1]);
        assertThatThrownBy(() -> v.setUp(pod(yaml)))
            .as(bad[0] + " " + bad[1])
            .isInstanceOf(VolumeException.class)
            .hasMessageContaining("hostPath volume \"h\"")
            .hasMessageContaining(bad[2]);
      }
    }
  }

  @Test
  void subPathsResolveInsideTheVolumeOnly() throws Exception {
    Pod pod =
        pod(
            HEADER
                + """
                spec:
                  containers:
                  - name: c
                    image: i
                    volumeMounts:
                    - {name: data, mountPath: /a, subPath: logs/a}
                    - {name: data, mountPath: /b, subPathExpr: "$(POD_NAME)/b", readOnly: true}
                  volumes: [{name: data, emptyDir: {}}]
                """);
    PodVolumes v = volumes();
    var dirs = v.setUp(pod);

    List<Mount> mounts =
        v.containerMounts(
            pod,
            pod.getSpec().getContainers().get(0),
            dirs,
            () -> Map.of("POD_NAME", "web"),
            List.of());

    Path data = vol("empty-dir", "data");
    assertThat(mounts.get(0).hostPath()).isEqualTo(data.resolve("logs/a").toString());
    assertThat(data.resolve("logs/a")).isDirectory();
    assertThat(mode(data.resolve("logs/a"))).as("the volume root's mode").isEqualTo(0777);
    assertThat(mounts.get(1).hostPath()).isEqualTo(data.resolve("web/b").toString());
    assertThat(mounts.get(1).readonly()).isTrue();
    assertThat(mounts.get(0).readonly()).isFalse();

    Files.createSymbolicLink(data.resolve("evil"), Path.of("/etc"));
    for (String[] bad :
        new String[][] {
          {"subPath: ../../..", "must not contain '..'"},
          {"subPath: /etc", "must be a relative path"},
          {"subPath: evil", "resolves outside the volume"},
          {"subPath: evil/ssl", "resolves outside the volume"},
          {"subPathExpr: $(NOPE)", "undefined variable"},
        }) {
      Pod p =
          pod(
              HEADER
                  + "spec: {containers: [{name: c, image: i, volumeMounts: [{name: data, mountPath: /x, %s}]}], volumes: [{name: data, emptyDir: {}}]}"
                      .formatted(bad[0]));
      assertThatThrownBy(
              () ->
                  v.containerMounts(
                      p, p.getSpec().getContainers().get(0), dirs, () -> Map.of(), List.of()))
          .as(bad[0])
          .isInstanceOf(VolumeException.class)
          .hasMessageContaining(bad[1]);
    }
    assertThat(Path.of("/etc/ssl/evil")).doesNotExist();
  }

  @Test
  void managedHostsFileAndTerminationMessageFile() throws Exception {
    Pod pod =
        pod(
            HEADER
                + """
                spec:
                  hostname: web-0
                  subdomain: svc
                  hostAliases: [{ip: 10.1.2.3, hostnames: [db, db.local]}]
                  containers: [{name: c, image: i, terminationMessagePath: /dev/termination-log}]
                """);
    PodVolumes v = volumes();

    List<Mount> mounts =
        v.containerMounts(
            pod,
            pod.getSpec().getContainers().get(0),
            v.setUp(pod),
            () -> Map.of(),
            List.of("10.88.0.7"));

    Mount hosts =
        mounts.stream()
            .filter(m -> m.containerPath().equals("/etc/hosts"))
            .findFirst()
            .orElseThrow();
    assertThat(Files.readString(Path.of(hosts.hostPath())))
        .startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n")
        .contains("10.88.0.7\tweb-0.svc.default.svc.cluster.local\tweb-0\n")
        .endsWith("\n# Entries added by HostAliases.\n10.1.2.3\tdb\tdb.local\n");
    Mount term =
        mounts.stream()
            .filter(m -> m.containerPath().equals("/dev/termination-log"))
            .findFirst()
            .orElseThrow();
    Path termFile = Path.of(term.hostPath());
    assertThat(termFile).isRegularFile().startsWith(root.resolve("pods/u-1/containers/c"));
    assertThat(mode(termFile)).isEqualTo(0666);
  }

  @Test
  void hostNetworkPodsGetTheNodesHostsFilePlusAliases() throws Exception {
    Pod pod =
        pod(
            HEADER
                + "spec: {hostNetwork: true, hostAliases: [{ip: 1.2.3.4, hostnames: [x]}], containers: [{name: c, image: i}]}");
    PodVolumes v = volumes();

    List<Mount> mounts =
        v.containerMounts(
            pod,
            pod.getSpec().getContainers().get(0),
            v.setUp(pod),
            () -> Map.of(),
            List.of("10.0.0.5"));

    assertThat(Files.readString(Path.of(mounts.get(0).hostPath())))
        .isEqualTo(
            "127.0.0.1 localhost\n10.0.0.5 node-a\n\n# Entries added by HostAliases.\n1.2.3.4\tx\n");
  }

  @Test
  void tearDownUnmountsAndRemovesThePodDirectory() throws Exception {
    Pod pod =
        pod(
            HEADER
                + "spec: {containers: [{name: c, image: i}], volumes: [{name: s, secret: {secretName: creds}}, {name: e, emptyDir: {}}]}");
    PodVolumes v = volumes();
    v.setUp(pod);
    assertThat(v.podsOnDisk()).containsExactly("u-1");

    v.tearDown("u-1");

    assertThat(mounter.mounted).isEmpty();
    assertThat(root.resolve("pods/u-1")).doesNotExist();
    assertThat(v.podsOnDisk()).isEmpty();
    assertThat(Files.exists(root.resolve("pods/u-1"), LinkOption.NOFOLLOW_LINKS)).isFalse();
  }
}
