package io.berth.agent.nodeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.agent.kuberuntime.ImageGcPolicy;
import io.berth.agent.server.NodeServerSettings.AuthorizationMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigFileTest {
  private static final Path FILE = Path.of("/etc/berth/config.yaml");

  private static String resource(String name) throws IOException {
    try (InputStream in = ConfigFileTest.class.getResourceAsStream("/nodeconfig/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static BerthConfig parse(String yaml) {
    return ConfigFile.parse(FILE, yaml);
  }

  private static List<ConfigProblem> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ConfigException e) {
      return e.problems();
    }
    throw new AssertionError("config was accepted: " + yaml);
  }

  @Test
  void printDefaultsIsTheGoldenFile() throws IOException {
    assertThat(BerthConfig.defaults().toYaml()).isEqualTo(resource("print-defaults.yaml"));
  }

  @Test
  void theDefaultsReadBackAsTheDefaults() {
    BerthConfig read = parse(BerthConfig.defaults().toYaml());
    assertThat(read.kubelet()).isEqualTo(KubeletConfig.defaults());
    assertThat(read.proxy()).isEqualTo(KubeProxyConfig.defaults());
    assertThat(read.warnings()).isEmpty();
  }

  @Test
  void theExampleConfigIsValidAndQuiet() throws IOException {
    BerthConfig c = parse(Files.readString(Path.of("..", "examples", "config.yaml")));
    assertThat(c.warnings()).isEmpty();
    assertThat(c.kubelet().staticPodPath()).isEqualTo(Path.of("/etc/berth/manifests"));
  }

  @Test
  void readsBothDocumentsInAnyOrder() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: nftables
            clusterCIDR: 10.244.0.0/16,fd00:10:244::/56
            nodePortAddresses: [primary, 192.168.1.0/24]
            healthzBindAddress: 127.0.0.1:10256
            nftables:
              masqueradeBit: 15
              syncPeriod: 1m
              minSyncPeriod: 500ms
            ---
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            staticPodPath: /etc/kubernetes/manifests
            staticPodURL: http://127.0.0.1:8000/pods
            fileCheckFrequency: 5s
            httpCheckFrequency: 1m
            healthzBindAddress: 127.0.0.2
            healthzPort: 10300
            cgroupRoot: /berth
            podLogsDir: /srv/pod-logs
            containerRuntimeEndpoint: unix:///run/k3s/containerd/containerd.sock
            clusterDNS: [10.96.0.10]
            clusterDomain: cluster.local
            """);
    KubeletConfig k = c.kubelet();
    assertThat(k.staticPodPath()).isEqualTo(Path.of("/etc/kubernetes/manifests"));
    assertThat(k.staticPodURL()).isEqualTo(URI.create("http://127.0.0.1:8000/pods"));
    assertThat(k.fileCheckFrequency()).isEqualTo(Duration.ofSeconds(5));
    assertThat(k.httpCheckFrequency()).isEqualTo(Duration.ofMinutes(1));
    assertThat(k.healthzBindAddress().getHostAddress()).isEqualTo("127.0.0.2");
    assertThat(k.healthzPort()).isEqualTo(10300);
    assertThat(k.podCgroupRoot()).isEqualTo("/berth/kubepods");
    assertThat(k.podLogsDir()).isEqualTo(Path.of("/srv/pod-logs"));
    assertThat(k.containerRuntimeEndpoint())
        .isEqualTo("unix:///run/k3s/containerd/containerd.sock");
    assertThat(k.clusterDNS()).containsExactly("10.96.0.10");
    assertThat(k.clusterDomain()).isEqualTo("cluster.local");

    KubeProxyConfig p = c.proxy();
    assertThat(p.clusterCIDRs()).containsExactly("10.244.0.0/16", "fd00:10:244::/56");
    assertThat(p.nodePortAddresses()).containsExactly("primary", "192.168.1.0/24");
    assertThat(p.healthzBindAddress().getPort()).isEqualTo(10256);
    assertThat(p.masqueradeMark()).isEqualTo(0x8000);
    assertThat(p.syncPeriod()).isEqualTo(Duration.ofMinutes(1));
    assertThat(p.minSyncPeriod()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void aMissingDocumentKeepsItsDefaults() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            """);
    assertThat(c.kubelet()).isEqualTo(KubeletConfig.defaults());
    assertThat(c.proxy()).isEqualTo(KubeProxyConfig.defaults());
    assertThat(KubeletConfig.defaults().podCgroupRoot()).isEqualTo("/kubepods");
  }

  @Test
  void unknownAndUnsupportedFieldsAreWarnedWithTheirPathsAndKeptOut() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            staticPodPth: /etc/typo
            podPidsLimit: 4096
            containerLogMaxWorkers: 2
            tlsMinVersion: VersionTLS12
            authentication:
              anonymous: {enabled: false}
              oidc: {issuer: x}
            ---
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            conntrack:
              tcpEstablishedTimeout: 24h
            nftables:
              syncPerod: 10s
            """);
    assertThat(c.warnings())
        .extracting(ConfigProblem::toString)
        .containsExactlyInAnyOrder(
            "KubeletConfiguration.staticPodPth: unknown field; ignored",
            "KubeletConfiguration.podPidsLimit: not supported by berth (berth sets no pids limit"
                + " on pod cgroups yet); ignored",
            "KubeletConfiguration.containerLogMaxWorkers: not supported by berth (berth rotates"
                + " container logs on one thread); ignored",
            "KubeletConfiguration.tlsMinVersion: not supported by berth (berth's node API offers"
                + " TLS 1.3 and 1.2 with a fixed set of modern cipher suites; its certificate comes"
                + " from tlsCertFile or is self-signed); ignored",
            "KubeletConfiguration.authentication.oidc: unknown field; ignored",
            "KubeProxyConfiguration.conntrack: not supported by berth (berth does not set conntrack"
                + " sysctls; it only clears stale UDP entries); ignored",
            "KubeProxyConfiguration.nftables.syncPerod: unknown field; ignored");
    assertThat(c.kubelet().staticPodPath()).isNull();
    assertThat(c.proxy().syncPeriod()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void nodeApiFieldsAreReadAsKubeadmWritesThem() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            address: 10.0.0.5
            port: 10350
            tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
            tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
            authentication:
              anonymous:
                enabled: false
              webhook:
                cacheTTL: 0h1m0s
                enabled: true
              x509:
                clientCAFile: /etc/kubernetes/pki/ca.crt
            authorization:
              mode: Webhook
              webhook:
                cacheAuthorizedTTL: 0s
                cacheUnauthorizedTTL: 0s
            """);
    NodeServerConfig n = c.nodeServer();
    assertThat(n.serve()).isEqualTo(NodeServerConfig.Serve.DEFAULT);
    assertThat(n.address().getHostAddress()).isEqualTo("10.0.0.5");
    assertThat(n.port()).isEqualTo(10350);
    assertThat(n.tlsCertFile()).isEqualTo(Path.of("/var/lib/kubelet/pki/kubelet.crt"));
    assertThat(n.authentication().clientCaFile()).isEqualTo(Path.of("/etc/kubernetes/pki/ca.crt"));
    assertThat(n.authentication().webhookCacheTtl()).isEqualTo(Duration.ofMinutes(1));
    assertThat(n.authorization().mode()).isEqualTo(AuthorizationMode.WEBHOOK);
    // kubeadm writes 0s: no caching, which the kubelet accepts
    assertThat(n.authorization().cacheAuthorizedTtl()).isZero();
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void everyInvalidNodeApiFieldIsRefusedWithItsPath() {
    List<ConfigProblem> p =
        problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            enableServer: yes-please
            address: node1
            port: 0
            tlsCertFile: /etc/berth/tls.crt
            authentication:
              webhook: {cacheTTL: -1m}
              x509: {clientCAFile: ca.crt}
              anonymous: {enabled: "no"}
            authorization:
              mode: RBAC
              webhook: {cacheUnauthorizedTTL: 30}
            """);
    assertThat(p)
        .extracting(ConfigProblem::path)
        .containsExactlyInAnyOrder(
            "KubeletConfiguration.enableServer",
            "KubeletConfiguration.address",
            "KubeletConfiguration.port",
            "KubeletConfiguration.tlsCertFile",
            "KubeletConfiguration.authentication.webhook.cacheTTL",
            "KubeletConfiguration.authentication.x509.clientCAFile",
            "KubeletConfiguration.authentication.anonymous.enabled",
            "KubeletConfiguration.authorization.mode",
            "KubeletConfiguration.authorization.webhook.cacheUnauthorizedTTL");
    assertThat(p)
        .filteredOn(e -> e.path().endsWith("tlsCertFile"))
        .extracting(ConfigProblem::message)
        .containsExactly("tlsCertFile and tlsPrivateKeyFile go together: give both or neither");
    assertThat(p)
        .filteredOn(e -> e.path().endsWith("authorization.mode"))
        .extracting(ConfigProblem::message)
        .containsExactly("must be Webhook or AlwaysAllow, got 'RBAC'");
  }

  @Test
  void enableServerIsKeptAsGiven() {
    String head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
    assertThat(parse(head + "enableServer: true\n").nodeServer().serve())
        .isEqualTo(NodeServerConfig.Serve.ON);
    assertThat(parse(head + "enableServer: false\n").nodeServer().serve())
        .isEqualTo(NodeServerConfig.Serve.OFF);
    // print-defaults leaves it out, so a file made from it keeps berth's default
    assertThat(parse(BerthConfig.defaults().toYaml()).nodeServer())
        .isEqualTo(NodeServerConfig.defaults());
  }

  @Test
  void containerLogRotationFieldsReachTheHousekeeping() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            containerLogMaxSize: 50Mi
            containerLogMaxFiles: 3
            containerLogMonitorInterval: 30s
            """);
    assertThat(c.containerLogs().housekeeping().containerLogMaxSize()).isEqualTo(50L << 20);
    assertThat(c.containerLogs().housekeeping().containerLogMaxFiles()).isEqualTo(3);
    assertThat(c.containerLogs().housekeeping().logRotationPeriod())
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(parse(BerthConfig.defaults().toYaml()).containerLogs())
        .isEqualTo(ContainerLogConfig.defaults());

    List<ConfigProblem> p =
        problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            containerLogMaxSize: ten megs
            containerLogMaxFiles: 1
            containerLogMonitorInterval: 0s
            """);
    assertThat(p)
        .extracting(ConfigProblem::path)
        .containsExactly(
            "KubeletConfiguration.containerLogMaxSize",
            "KubeletConfiguration.containerLogMaxFiles",
            "KubeletConfiguration.containerLogMonitorInterval");
    assertThat(p.get(0).message()).isEqualTo("must be a quantity such as 10Mi, got 'ten megs'");
    assertThat(p.get(1).message()).isEqualTo("must be between 2 and 2147483647, got 1");
  }

  @Test
  void imageGcFieldsReachTheHousekeepingAndAreCheckedAsTheKubeletDoes() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            imageGCHighThresholdPercent: 90
            imageGCLowThresholdPercent: 70
            imageMinimumGCAge: 5m
            imageMaximumGCAge: 168h
            """);
    assertThat(c.imageGc().policy())
        .isEqualTo(new ImageGcPolicy(90, 70, Duration.ofMinutes(5), Duration.ofHours(168)));
    assertThat(c.warnings()).isEmpty();
    assertThat(parse(BerthConfig.defaults().toYaml()).imageGc().policy())
        .isEqualTo(ImageGcPolicy.DEFAULTS);

    String head = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
    assertThat(problems(head + "imageGCHighThresholdPercent: 60\nimageGCLowThresholdPercent: 60\n"))
        .containsExactly(
            new ConfigProblem(
                "KubeletConfiguration.imageGCLowThresholdPercent",
                "must be less than imageGCHighThresholdPercent (60), got 60"));
    assertThat(problems(head + "imageGCHighThresholdPercent: 101\n"))
        .containsExactly(
            new ConfigProblem(
                "KubeletConfiguration.imageGCHighThresholdPercent",
                "must be between 0 and 100, got 101"));
    assertThat(problems(head + "imageMinimumGCAge: 10m\nimageMaximumGCAge: 5m\n"))
        .containsExactly(
            new ConfigProblem(
                "KubeletConfiguration.imageMaximumGCAge",
                "must be 0 or at least imageMinimumGCAge (10m0s), got 5m0s"));
    assertThat(problems(head + "imageMinimumGCAge: -1s\n"))
        .extracting(ConfigProblem::path)
        .containsExactly("KubeletConfiguration.imageMinimumGCAge");
  }

  @Test
  void everyInvalidKubeletFieldIsRefusedWithItsPathAndReason() {
    List<ConfigProblem> p =
        problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            staticPodPath: manifests
            staticPodURL: file:///etc/pods
            fileCheckFrequency: 20
            httpCheckFrequency: 0s
            healthzBindAddress: localhost
            healthzPort: 70000
            cgroupRoot: kubepods
            cgroupsPerQOS: false
            cgroupDriver: systemd
            podLogsDir: logs
            containerRuntimeEndpoint: /run/containerd/containerd.sock
            imageServiceEndpoint: unix:///run/other.sock
            clusterDNS: [10.96.0.10, kube-dns]
            clusterDomain: Cluster_Local
            resolvConf: resolv.conf
            """);
    assertThat(p)
        .extracting(ConfigProblem::path)
        .containsExactly(
            "KubeletConfiguration.staticPodPath",
            "KubeletConfiguration.staticPodURL",
            "KubeletConfiguration.fileCheckFrequency",
            "KubeletConfiguration.httpCheckFrequency",
            "KubeletConfiguration.healthzBindAddress",
            "KubeletConfiguration.healthzPort",
            "KubeletConfiguration.cgroupRoot",
            "KubeletConfiguration.cgroupsPerQOS",
            "KubeletConfiguration.cgroupDriver",
            "KubeletConfiguration.podLogsDir",
            "KubeletConfiguration.containerRuntimeEndpoint",
            "KubeletConfiguration.imageServiceEndpoint",
            "KubeletConfiguration.clusterDNS[1]",
            "KubeletConfiguration.clusterDomain",
            "KubeletConfiguration.resolvConf");
    assertThat(p.get(0).message()).isEqualTo("must be an absolute path, got 'manifests'");
    assertThat(p.get(2).message()).contains("not a duration: '20'");
    assertThat(p.get(3).message()).isEqualTo("must be greater than 0");
    assertThat(p.get(5).message()).isEqualTo("must be between 1 and 65535, got 70000");
    assertThat(p.get(12).message()).isEqualTo("must be an IP address, got 'kube-dns'");
  }

  @Test
  void everyInvalidProxyFieldIsRefusedWithItsPathAndReason() {
    List<ConfigProblem> p =
        problems(
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: ipvs
            clusterCIDR: 10.244.0.0/33
            nodePortAddresses: [10.0.0.1]
            healthzBindAddress: 0.0.0.0
            metricsBindAddress: 127.0.0.1:0
            nftables:
              masqueradeAll: "yes"
              masqueradeBit: 32
              syncPeriod: 0s
              minSyncPeriod: 1h
            """);
    assertThat(p)
        .extracting(ConfigProblem::path)
        .containsExactly(
            "KubeProxyConfiguration.mode",
            "KubeProxyConfiguration.clusterCIDR",
            "KubeProxyConfiguration.nodePortAddresses[0]",
            "KubeProxyConfiguration.healthzBindAddress",
            "KubeProxyConfiguration.metricsBindAddress",
            "KubeProxyConfiguration.nftables.masqueradeAll",
            "KubeProxyConfiguration.nftables.masqueradeBit",
            "KubeProxyConfiguration.nftables.syncPeriod",
            "KubeProxyConfiguration.nftables.minSyncPeriod");
    assertThat(p.get(0).message()).startsWith("'ipvs' is not supported: berth programs nftables");
  }

  @Test
  void wrongKindsVersionsAndYamlAreOneLineErrors() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    apiVersion: kubelet.config.k8s.io/v1alpha1
                    kind: KubeletConfiguration
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "config /etc/berth/config.yaml: KubeletConfiguration.apiVersion: must be"
                + " kubelet.config.k8s.io/v1beta1, got 'kubelet.config.k8s.io/v1alpha1'");
    assertThatThrownBy(() -> parse("apiVersion: v1\nkind: Pod\n"))
        .hasMessageContaining("document 1.kind: 'Pod' is not known");
    assertThatThrownBy(() -> parse("kind: KubeletConfiguration\nstaticPodPath: [\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML")
        .hasMessageContaining("line ");
    assertThatThrownBy(() -> parse(""))
        .hasMessageContaining("no KubeletConfiguration or KubeProxyConfiguration document");
    String twice =
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n---\n"
            + "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
    assertThatThrownBy(() -> parse(twice)).hasMessageContaining("a second KubeletConfiguration");
    for (String msg :
        List.of(catchMessage("apiVersion: v1\nkind: Pod\n"), catchMessage("kind: [\n"))) {
      assertThat(msg.lines()).hasSize(1);
    }
  }

  @Test
  void aMissingFileSaysSo() {
    assertThatThrownBy(() -> ConfigFile.load(Path.of("/nonexistent/berth.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config /nonexistent/berth.yaml: (file): no such file");
  }

  private static String catchMessage(String yaml) {
    try {
      parse(yaml);
      return "";
    } catch (ConfigException e) {
      return e.getMessage();
    }
  }

  @Test
  void shutdownGracePeriodsAreReadAndCheckedAgainstEachOther() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            shutdownGracePeriod: 30s
            shutdownGracePeriodCriticalPods: 10s
            """);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.shutdown())
        .isEqualTo(new NodeShutdownConfig(Duration.ofSeconds(30), Duration.ofSeconds(10)));
    assertThat(BerthConfig.defaults().shutdown().shutdownGracePeriod()).isZero();
    assertThat(
            problems(
                """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                shutdownGracePeriod: 10s
                shutdownGracePeriodCriticalPods: 20s
                """))
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "KubeletConfiguration.shutdownGracePeriodCriticalPods: must not exceed"
                + " shutdownGracePeriod (20s > 10s)");
    assertThat(
            problems(
                "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
                    + "shutdownGracePeriod: -5s\n"))
        .extracting(ConfigProblem::toString)
        .containsExactly("KubeletConfiguration.shutdownGracePeriod: must not be negative, got -5s");
  }

  @Test
  void shutdownGracePeriodByPodPriorityIsReadAndExcludesTheTwoFields() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            shutdownGracePeriodByPodPriority:
            - {priority: 100000, shutdownGracePeriodSeconds: 20}
            - {priority: 0, shutdownGracePeriodSeconds: 30}
            """);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.shutdown().shutdownGracePeriodByPodPriority())
        .containsExactly(
            new NodeShutdownConfig.ByPodPriority(100000, 20),
            new NodeShutdownConfig.ByPodPriority(0, 30));
    assertThat(
            problems(
                """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                shutdownGracePeriod: 30s
                shutdownGracePeriodByPodPriority:
                - {priority: 0, shutdownGracePeriodSeconds: -1}
                - 7
                """))
        .extracting(ConfigProblem::toString)
        .containsExactlyInAnyOrder(
            "KubeletConfiguration.shutdownGracePeriodByPodPriority[0].shutdownGracePeriodSeconds:"
                + " must be between 0 and 2147483647, got -1",
            "KubeletConfiguration.shutdownGracePeriodByPodPriority[1]: must be a mapping, got '7'",
            "KubeletConfiguration.shutdownGracePeriodByPodPriority: cannot be given together with"
                + " shutdownGracePeriod or shutdownGracePeriodCriticalPods");
  }

  @Test
  void maxPodsAndAllowedUnsafeSysctlsAreReadAndCheckedWithTheirPaths() {
    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            maxPods: 250
            allowedUnsafeSysctls: ["net.core.somaxconn", "kernel.msg*"]
            """);
    assertThat(c.warnings()).isEmpty();
    assertThat(c.kubelet().maxPods()).isEqualTo(250);
    assertThat(c.kubelet().allowedUnsafeSysctls())
        .containsExactly("net.core.somaxconn", "kernel.msg*");
    assertThat(
            problems(
                """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                maxPods: 0
                allowedUnsafeSysctls: ["net.core.somaxconn", "vm.swappiness"]
                """))
        .extracting(ConfigProblem::toString)
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).startsWith("KubeletConfiguration.maxPods: "))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("KubeletConfiguration.allowedUnsafeSysctls[1]: ")
                    .contains("vm.swappiness")
                    .contains("not a namespaced sysctl"));
  }

  @Test
  void apiServerTuningFieldsAreReadWithTheKubeletsDefaultsAndChecked() {
    assertThat(parse(BerthConfig.defaults().toYaml()).apiServer())
        .isEqualTo(ApiServerTuning.defaults());
    ApiServerTuning d = ApiServerTuning.defaults();
    assertThat(d.nodeStatusUpdateFrequency()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.nodeStatusReportFrequency()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.nodeLeaseDurationSeconds()).isEqualTo(40);
    assertThat(d.leaseRenewInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.kubeAPIQPS()).isEqualTo(50);
    assertThat(d.kubeAPIBurst()).isEqualTo(100);

    BerthConfig c =
        parse(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            nodeStatusUpdateFrequency: 4s
            nodeStatusReportFrequency: 1m
            nodeLeaseDurationSeconds: 30
            kubeAPIQPS: 20
            kubeAPIBurst: 40
            """);
    assertThat(c.warnings()).as("no longer warned as unsupported").isEmpty();
    assertThat(c.apiServer())
        .isEqualTo(new ApiServerTuning(Duration.ofSeconds(4), Duration.ofMinutes(1), 30, 20, 40));
    assertThat(c.apiServer().leaseRenewInterval()).isEqualTo(Duration.ofMillis(7500));

    ApiServerTuning onlyUpdate =
        parse(
                """
                apiVersion: kubelet.config.k8s.io/v1beta1
                kind: KubeletConfiguration
                nodeStatusUpdateFrequency: 20s
                """)
            .apiServer();
    assertThat(onlyUpdate.nodeStatusReportFrequency())
        .as("the kubelet's defaulting: an explicit update frequency is also the report frequency")
        .isEqualTo(Duration.ofSeconds(20));

    List<ConfigProblem> p =
        problems(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            nodeStatusUpdateFrequency: 0s
            nodeStatusReportFrequency: -5m
            nodeLeaseDurationSeconds: 0
            kubeAPIQPS: 0
            kubeAPIBurst: 0.5
            """);
    assertThat(p)
        .extracting(ConfigProblem::toString)
        .containsExactly(
            "KubeletConfiguration.nodeStatusUpdateFrequency: must be greater than 0",
            "KubeletConfiguration.nodeStatusReportFrequency: must not be negative, got -5m0s",
            "KubeletConfiguration.nodeLeaseDurationSeconds: must be between 1 and 2147483647, got 0",
            "KubeletConfiguration.kubeAPIQPS: must be between 1 and 2147483647, got 0",
            "KubeletConfiguration.kubeAPIBurst: must be an integer, got '0.5'");
  }
}
