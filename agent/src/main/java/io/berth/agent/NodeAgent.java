package io.berth.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.admission.PodAdmitter;
import io.berth.agent.admission.TaintAdmission;
import io.berth.agent.config.ApiServerSource;
import io.berth.agent.config.FileSource;
import io.berth.agent.config.ManifestDecoder;
import io.berth.agent.config.ManifestReader;
import io.berth.agent.config.PodConfig;
import io.berth.agent.config.PodUpdate;
import io.berth.agent.config.StaticObjects;
import io.berth.agent.config.StaticPodDefaults;
import io.berth.agent.config.UrlSource;
import io.berth.agent.events.ApiEventRecorder;
import io.berth.agent.events.ApiEventSink;
import io.berth.agent.events.EventRecorder;
import io.berth.agent.events.KubeletEvents;
import io.berth.agent.events.ObjectReference;
import io.berth.agent.events.PodEvents;
import io.berth.agent.http.HttpApiServer;
import io.berth.agent.http.HttpLimits;
import io.berth.agent.http.HttpReply;
import io.berth.agent.http.HttpRoutes;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.RateLimiter;
import io.berth.agent.kuberuntime.CgroupNames;
import io.berth.agent.kuberuntime.ComputePodActions;
import io.berth.agent.kuberuntime.ConfigSource;
import io.berth.agent.kuberuntime.ContainerConfigs;
import io.berth.agent.kuberuntime.CrashLoopBackoff;
import io.berth.agent.kuberuntime.EnvResolver;
import io.berth.agent.kuberuntime.ImagePulls;
import io.berth.agent.kuberuntime.NodeContext;
import io.berth.agent.kuberuntime.RuntimeSettings;
import io.berth.agent.kuberuntime.SandboxConfigs;
import io.berth.agent.kuberuntime.SpecHash;
import io.berth.agent.node.NodeRegistration;
import io.berth.agent.nodeconfig.ApiServerTuning;
import io.berth.agent.nodeconfig.KubeProxyConfig;
import io.berth.agent.nodeconfig.KubeletConfig;
import io.berth.agent.pod.CgroupfsPodCgroups;
import io.berth.agent.pod.ContainerGarbageCollector;
import io.berth.agent.pod.ContainerLogRotator;
import io.berth.agent.pod.HostFacts;
import io.berth.agent.pod.ImageGarbageCollector;
import io.berth.agent.pod.LifecycleHooks;
import io.berth.agent.pod.LocalStorageEviction;
import io.berth.agent.pod.PodCgroups;
import io.berth.agent.pod.PodDispatcher;
import io.berth.agent.pod.PodLifecycleEvent;
import io.berth.agent.pod.PodLifecycleEventGenerator;
import io.berth.agent.pod.PodStartLatency;
import io.berth.agent.pod.PodStatusView;
import io.berth.agent.pod.PodStatuses;
import io.berth.agent.pod.PodWorkers;
import io.berth.agent.pod.RuntimeHousekeeping;
import io.berth.agent.pod.RuntimePodSyncer;
import io.berth.agent.pod.UnlistedPods;
import io.berth.agent.podobjects.PodObjects;
import io.berth.agent.probe.NodeProber;
import io.berth.agent.probe.ProbeSyncHandler;
import io.berth.agent.proxy.LocalPods;
import io.berth.agent.proxy.ServiceProxy;
import io.berth.agent.proxy.ServiceProxySettings;
import io.berth.agent.server.NodeApi;
import io.berth.agent.server.NodeApiServer;
import io.berth.agent.server.NodeContainers;
import io.berth.agent.server.NodeServerSettings;
import io.berth.agent.shutdown.DbusLogind;
import io.berth.agent.shutdown.NodeShutdownManager;
import io.berth.agent.shutdown.NodeShutdownSettings;
import io.berth.agent.shutdown.WorkerPods;
import io.berth.agent.stats.NodeMetricsEndpoints;
import io.berth.agent.stats.PodLifecycleMetrics;
import io.berth.agent.stats.RuntimeOperationMetrics;
import io.berth.agent.stats.RuntimePodInventory;
import io.berth.agent.systemd.Heartbeat;
import io.berth.agent.systemd.SdNotifier;
import io.berth.agent.systemd.WatchdogKeeper;
import io.berth.agent.volume.LibcMounter;
import io.berth.agent.volume.PodVolumes;
import io.berth.agent.volume.ProjectedPayloads;
import io.berth.cri.CriRuntime;
import io.berth.metrics.exposition.TextExposition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds berth's parts with constructor injection and owns their lifecycle.
 *
 * <pre>
 *   RuntimeConnection ──(connected)──▶ READY=1 to systemd
 *        │ runtime()
 *        ▼
 *   RuntimePodInventory ─▶ NodeMetricsEndpoints ─┐
 *   PrometheusMeterRegistry (berth's own) ───────┼─▶ HttpRoutes ─▶ HttpApiServer
 *   SyncLoop ─beats─▶ Heartbeat ─▶ /healthz ─────┘
 *                          └──────▶ WatchdogKeeper ─▶ WATCHDOG=1
 *
 *   FileSource ─▶ PodConfig ─(feeder)─▶ SyncLoop ─▶ PodDispatcher ─▶ PodWorkers ─▶ RuntimePodSyncer
 *   PodLifecycleEventGenerator (relist 1 s) ─────────▲                    PodStatusView ─▶ /pods
 *   NodeProber results (probe changes) ──────────────┘   RuntimePodSyncer ─▶ ProberManager
 *                                                          (workers, restarts, readiness) ─▶ /metrics/probes
 * </pre>
 *
 * <p>The Service proxy is one part, {@code ServiceProxy} (with {@code --service-dir}), fed berth's
 * own pods for standalone endpoints. What is not here yet (the API server source, node
 * registration) plugs into the sync loop and this root as the issues land.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  private static final Duration IMAGE_GC_FIRST_PASS = Duration.ofSeconds(10);

  /** The kubelet's {@code periodicQOSCgroupUpdateInterval}. */
  private static final Duration QOS_CGROUP_UPDATE = Duration.ofMinutes(1);

  /** Connect and whole-request timeout for the manifest URL. */
  static final Duration MANIFEST_URL_TIMEOUT = Duration.ofSeconds(10);

  /** The kubelet's PLEG relist period. */
  static final Duration PLEG_PERIOD = Duration.ofSeconds(1);

  /**
   * What berth runs with; the config file and flags are parsed into this.
   *
   * @param podManifestPath the static pod manifest directory ({@code --pod-manifest-path}); null
   *     for none
   * @param cgroupRoot the pods' cgroup root ({@code --cgroup-root}, cgroupfs syntax), {@code
   *     /kubepods} by default
   * @param podLogsDir where pod log directories go ({@code --pod-logs-dir}), {@code /var/log/pods}
   *     by default
   * @param manifestUrl a URL returning a Pod or PodList, polled every 20 s ({@code
   *     --manifest-url}); null for none
   * @param staticObjectDir ConfigMap and Secret manifests that static pods refer to ({@code
   *     --static-object-dir}); null for none
   * @param runtimeHousekeeping container GC and log rotation; null for the kubelet's defaults
   * @param proxy the Service proxy ({@code --service-dir}, {@code --proxy-mode}, ...); null: off
   * @param tuning the config file's further kubelet and proxy fields; null for their defaults
   * @param kubeconfig the API server connection ({@code --kubeconfig}); pods bound to this node
   *     become a pod source; null for standalone
   * @param nodeRegistration taints, labels and reservations of the Node (allocatable); null for the
   *     kubelet's defaults
   * @param shutdown graceful node shutdown through logind; null: off
   * @param nodeServer the secure node API (the kubelet's 10250); null: off
   */
  public record Settings(
      String runtimeEndpoint,
      InetSocketAddress httpAddress,
      String nodeName,
      Path rootDir,
      Duration housekeepingPeriod,
      Path podManifestPath,
      String cgroupRoot,
      Path podLogsDir,
      URI manifestUrl,
      Path staticObjectDir,
      RuntimeHousekeeping runtimeHousekeeping,
      ServiceProxySettings proxy,
      Tuning tuning,
      Path kubeconfig,
      NodeRegistration nodeRegistration,
      NodeShutdownSettings shutdown,
      NodeServerSettings nodeServer) {
    public Settings {
      nodeRegistration = nodeRegistration == null ? NodeRegistration.defaults() : nodeRegistration;
      shutdown = shutdown == null ? NodeShutdownSettings.off() : shutdown;
      runtimeHousekeeping =
          runtimeHousekeeping == null ? RuntimeHousekeeping.DEFAULTS : runtimeHousekeeping;
      cgroupRoot = cgroupRoot == null ? CgroupNames.DEFAULT_ROOT : cgroupRoot;
      podLogsDir = podLogsDir == null ? Path.of(RuntimeSettings.DEFAULT_POD_LOGS_ROOT) : podLogsDir;
      proxy = proxy == null ? ServiceProxySettings.none() : proxy;
      tuning = tuning == null ? Tuning.defaults() : tuning;
      nodeServer = nodeServer == null ? NodeServerSettings.off() : nodeServer;
    }

    /** Static pods from a directory and a URL; defaults for everything else, no Service proxy. */
    public Settings(
        String runtimeEndpoint,
        InetSocketAddress httpAddress,
        String nodeName,
        Path rootDir,
        Duration housekeepingPeriod,
        Path podManifestPath,
        String cgroupRoot,
        Path podLogsDir,
        URI manifestUrl) {
      this(
          runtimeEndpoint,
          httpAddress,
          nodeName,
          rootDir,
          housekeepingPeriod,
          podManifestPath,
          cgroupRoot,
          podLogsDir,
          manifestUrl,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }

    /** Static pods from a directory only. */
    public Settings(
        String runtimeEndpoint,
        InetSocketAddress httpAddress,
        String nodeName,
        Path rootDir,
        Duration housekeepingPeriod,
        Path podManifestPath,
        String cgroupRoot,
        Path podLogsDir) {
      this(
          runtimeEndpoint,
          httpAddress,
          nodeName,
          rootDir,
          housekeepingPeriod,
          podManifestPath,
          cgroupRoot,
          podLogsDir,
          null);
    }

    /** No static pods, default cgroup root and log directory. */
    public Settings(
        String runtimeEndpoint,
        InetSocketAddress httpAddress,
        String nodeName,
        Path rootDir,
        Duration housekeepingPeriod) {
      this(runtimeEndpoint, httpAddress, nodeName, rootDir, housekeepingPeriod, null, null, null);
    }

    /** These settings reading ConfigMaps and Secrets from {@code dir}. */
    public Settings withStaticObjectDir(Path dir) {
      return edit().staticObjectDir(dir).build();
    }

    /** These settings with other GC and log rotation settings. */
    public Settings withRuntimeHousekeeping(RuntimeHousekeeping h) {
      return edit().runtimeHousekeeping(h).build();
    }

    /** These settings with the Service proxy configured as {@code p}. */
    public Settings withProxy(ServiceProxySettings p) {
      return edit().proxy(p).build();
    }

    /** These settings with the config file's further fields {@code t}. */
    public Settings withTuning(Tuning t) {
      return edit().tuning(t).build();
    }

    /** These settings with graceful node shutdown configured as {@code s}. */
    public Settings withShutdown(NodeShutdownSettings s) {
      return edit().shutdown(s).build();
    }

    /** These settings with pods from the API server behind {@code file} (null: standalone). */
    public Settings withKubeconfig(Path file) {
      return edit().kubeconfig(file).build();
    }

    /** These settings with the Node registered with {@code r} (taints, labels, reservations). */
    public Settings withNodeRegistration(NodeRegistration r) {
      return edit().nodeRegistration(r).build();
    }

    /** These settings with the secure node API configured as {@code n}. */
    public Settings withNodeServer(NodeServerSettings n) {
      return edit().nodeServer(n).build();
    }

    private Editor edit() {
      return new Editor(this);
    }

    /** A copy of some settings with a few fields changed; the with*() methods use it. */
    private static final class Editor {
      private final Settings s;
      private Path staticObjectDir;
      private RuntimeHousekeeping runtimeHousekeeping;
      private ServiceProxySettings proxy;
      private Tuning tuning;
      private Path kubeconfig;
      private NodeRegistration nodeRegistration;
      private NodeShutdownSettings shutdown;
      private NodeServerSettings nodeServer;

      Editor(Settings s) {
        this.s = s;
        this.staticObjectDir = s.staticObjectDir;
        this.runtimeHousekeeping = s.runtimeHousekeeping;
        this.proxy = s.proxy;
        this.tuning = s.tuning;
        this.kubeconfig = s.kubeconfig;
        this.nodeRegistration = s.nodeRegistration;
        this.shutdown = s.shutdown;
        this.nodeServer = s.nodeServer;
      }

      Editor nodeRegistration(NodeRegistration v) {
        nodeRegistration = v;
        return this;
      }

      Editor shutdown(NodeShutdownSettings v) {
        shutdown = v;
        return this;
      }

      Editor staticObjectDir(Path v) {
        staticObjectDir = v;
        return this;
      }

      Editor runtimeHousekeeping(RuntimeHousekeeping v) {
        runtimeHousekeeping = v;
        return this;
      }

      Editor proxy(ServiceProxySettings v) {
        proxy = v;
        return this;
      }

      Editor tuning(Tuning v) {
        tuning = v;
        return this;
      }

      Editor kubeconfig(Path v) {
        kubeconfig = v;
        return this;
      }

      Editor nodeServer(NodeServerSettings v) {
        nodeServer = v;
        return this;
      }

      Settings build() {
        return new Settings(
            s.runtimeEndpoint,
            s.httpAddress,
            s.nodeName,
            s.rootDir,
            s.housekeepingPeriod,
            s.podManifestPath,
            s.cgroupRoot,
            s.podLogsDir,
            s.manifestUrl,
            staticObjectDir,
            runtimeHousekeeping,
            proxy,
            tuning,
            kubeconfig,
            nodeRegistration,
            shutdown,
            nodeServer);
      }
    }
  }

  /**
   * The config file's fields beyond the basic settings (see {@code io.berth.agent.nodeconfig}).
   *
   * @param fileCheckFrequency rescan period of the manifest directory ({@code fileCheckFrequency})
   * @param httpCheckFrequency poll period of the manifest URL ({@code httpCheckFrequency})
   * @param clusterDns DNS servers for ClusterFirst pods ({@code clusterDNS}); empty: host DNS
   * @param clusterDomain the cluster domain ({@code clusterDomain}); empty for none
   * @param resolvConf the host resolver file pods inherit from ({@code resolvConf})
   * @param proxy the KubeProxyConfiguration part, for the proxier
   * @param apiServer node status and lease periods and the API client's rate limit; null for the
   *     kubelet's defaults
   */
  public record Tuning(
      Duration fileCheckFrequency,
      Duration httpCheckFrequency,
      List<String> clusterDns,
      String clusterDomain,
      Path resolvConf,
      KubeProxyConfig proxy,
      int maxPods,
      List<String> allowedUnsafeSysctls,
      ApiServerTuning apiServer) {
    public Tuning {
      clusterDns = List.copyOf(clusterDns);
      allowedUnsafeSysctls = List.copyOf(allowedUnsafeSysctls);
      apiServer = apiServer == null ? ApiServerTuning.defaults() : apiServer;
    }

    /** These values with admission's {@code maxPods} and {@code allowedUnsafeSysctls}. */
    public Tuning withAdmission(int pods, List<String> unsafeSysctls) {
      return new Tuning(
          fileCheckFrequency,
          httpCheckFrequency,
          clusterDns,
          clusterDomain,
          resolvConf,
          proxy,
          pods,
          unsafeSysctls,
          apiServer);
    }

    /** The kubelet's and kube-proxy's defaults. */
    public static Tuning defaults() {
      KubeletConfig k = KubeletConfig.defaults();
      return new Tuning(
          k.fileCheckFrequency(),
          k.httpCheckFrequency(),
          k.clusterDNS(),
          k.clusterDomain(),
          k.resolvConf(),
          KubeProxyConfig.defaults(),
          k.maxPods(),
          k.allowedUnsafeSysctls(),
          ApiServerTuning.defaults());
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final Map<String, String> env;
  private final Heartbeat heartbeat;
  private final PrometheusMeterRegistry registry = ownRegistry();
  private final RuntimeConnection runtime;
  private final SyncLoop syncLoop;
  private final ObjectMapper json = new ObjectMapper();
  private final ManifestDecoder decoder = new ManifestDecoder();
  private final PodConfig podConfig;
  private final PodStatusView podStatuses;
  private final PodWorkers podWorkers;

  /**
   * For JSON parsed or written on the pods' worker threads (spec hashes, the stats inventory's
   * status JSON): virtual threads that live as long as their pod, where Jackson's default
   * thread-local buffer pool would keep about 12 KB per pod. One shared pool instead.
   */
  private final ObjectMapper pooledJson =
      new ObjectMapper(
          JsonFactory.builder()
              .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
              .build());

  private final SpecHash hash = new SpecHash(pooledJson);
  private final CrashLoopBackoff crashLoop;
  private final ImagePulls imagePulls;
  private final PodLifecycleEventGenerator pleg;
  private PodVolumes podVolumes; // made with the pod syncer's parts
  private PodObjects podObjects; // made with the pod syncer's parts
  private final PodLifecycleMetrics lifecycleMetrics;
  private final NodeProber prober;
  private Thread probeResultsFeeder;
  private final PodCgroups podCgroups;
  private final ServiceProxy serviceProxy;
  private final NodeShutdownManager nodeShutdown;
  private FileSource manifests;
  private UrlSource manifestUrl;
  private volatile ControlPlane controlPlane;
  private final EventRecorder events; // the API recorder with --kubeconfig, else NONE
  private final ApiEventRecorder apiEvents; // null in standalone mode
  private Thread podConfigFeeder;
  private ScheduledExecutorService plegTimer;
  private ScheduledExecutorService runtimeHousekeepingTimer;
  private SdNotifier systemd = SdNotifier.Disabled.INSTANCE;
  private WatchdogKeeper watchdog;
  private ScheduledExecutorService timers;
  private volatile HttpApiServer http;
  private volatile NodeMetricsEndpoints metricsEndpoints;
  private volatile NodeApiServer nodeApi;
  private final java.util.concurrent.CountDownLatch serving =
      new java.util.concurrent.CountDownLatch(1);

  public NodeAgent(Settings settings, Clock clock, Map<String, String> env) {
    this.settings = settings;
    this.clock = clock;
    this.env = env;
    this.heartbeat = new Heartbeat(clock);
    this.runtime =
        new RuntimeConnection(settings.runtimeEndpoint(), new RuntimeOperationMetrics(registry));
    this.syncLoop = new SyncLoop(heartbeat, settings.housekeepingPeriod());
    this.podConfig = new PodConfig(clock, decoder);
    this.lifecycleMetrics = new PodLifecycleMetrics(registry);
    this.podStatuses =
        new PodStatusView(
            clock, json, podConfig::rejectedManifests, new PodStartLatency(lifecycleMetrics));
    lifecycleMetrics.gaugeRunning(podStatuses);
    this.crashLoop = new CrashLoopBackoff(clock, hash);
    this.imagePulls = new ImagePulls(clock);
    this.prober = new NodeProber(runtime::runtime, clock);
    this.apiEvents =
        settings.kubeconfig() == null
            ? null
            : new ApiEventRecorder(
                settings.nodeName(),
                clock,
                () ->
                    new ApiEventSink(
                        ControlPlane.client(
                            settings,
                            clock,
                            ApiEventRecorder.EVENT_RECORD_QPS,
                            ApiEventRecorder.EVENT_BURST)),
                RateLimiter.Sleeper.THREAD,
                java.util.concurrent.ThreadLocalRandom.current()::nextDouble,
                ApiEventRecorder.QUEUE_SIZE);
    this.events = apiEvents == null ? EventRecorder.NONE : apiEvents;
    if (apiEvents != null) {
      apiEvents.bindMetrics(registry);
    }
    this.podCgroups = podCgroups(new CgroupNames(settings.cgroupRoot()), this::activePods);
    this.pleg =
        new PodLifecycleEventGenerator(
            runtime::runtime,
            e -> syncLoop.offer(new SyncLoop.PlegEvent(e)),
            clock,
            lifecycleMetrics::relisted);
    this.podWorkers =
        new PodWorkers(
            lifecycleMetrics.timed(
                new RuntimePodSyncer(
                    podSyncerParts(), podCgroups, new UnlistedPods(pleg::runtimePods))),
            clock);
    this.serviceProxy = new ServiceProxy(settings.proxy(), settings.nodeName(), clock, localPods());
    this.nodeShutdown =
        new NodeShutdownManager(
            settings.shutdown(),
            () -> DbusLogind.connect(settings.shutdown().busAddress()),
            new WorkerPods(podStatuses, podWorkers::resync),
            clock);
  }

  /**
   * berth's pods as the Service proxy's endpoint source (standalone: no endpointslice controller).
   */
  private LocalPods localPods() {
    return new LocalPods() {
      @Override
      public List<Pod> pods() {
        return podStatuses.podList().getItems();
      }

      @Override
      public boolean terminating(String uid) {
        return podWorkers.isTerminationRequested(uid);
      }

      @Override
      public boolean synced() {
        return podConfig.allSourcesReady()
            && podConfig.mergedState().stream()
                .allMatch(p -> podStatuses.get(p.getMetadata().getUid()).isPresent());
      }
    };
  }

  /** Pod cgroups with the cgroupfs driver on this host's cgroup v1 hierarchies. */
  private static PodCgroups podCgroups(CgroupNames names, Supplier<List<Pod>> activePods) {
    PodCgroups cgroups;
    try {
      cgroups =
          CgroupfsPodCgroups.detect(
              Files.readString(Path.of("/proc/self/mountinfo")), names, activePods);
    } catch (IOException e) {
      cgroups = new PodCgroups.Unmanaged("cannot read /proc/self/mountinfo: " + e);
    }
    if (cgroups instanceof PodCgroups.Unmanaged u) {
      log.warn("pod cgroups are left to the runtime: {}", u.why());
    }
    return cgroups;
  }

  private RuntimePodSyncer.Parts podSyncerParts() {
    NodeContext node = HostFacts.nodeContext(settings.nodeName());
    ConfigSource objects = configObjects();
    RuntimeSettings runtimeSettings =
        new RuntimeSettings(
            settings.podLogsDir().toString(),
            new CgroupNames(settings.cgroupRoot()),
            settings.tuning().clusterDns(),
            settings.tuning().clusterDomain(),
            HostFacts.resolvConf(settings.tuning().resolvConf()));
    podVolumes =
        new PodVolumes(
            settings.rootDir(),
            clock,
            new ProjectedPayloads(objects, new EnvResolver(node, objects)),
            new LibcMounter(),
            runtimeSettings.clusterDomain(),
            Path.of("/etc/hosts"));
    return new RuntimePodSyncer.Parts(
        runtime::runtime,
        runtime::images,
        new SandboxConfigs(runtimeSettings),
        new ContainerConfigs(node, objects, hash, json, settings.rootDir().resolve("seccomp")),
        new ComputePodActions(hash),
        crashLoop,
        imagePulls,
        podStatuses,
        node.hostIps(),
        podVolumes,
        () -> serviceProxy.services(),
        prober.pods(),
        new LifecycleHooks(runtime::runtime, NodeAgent::hookHttpClient),
        new PodEvents(events, clock));
  }

  /**
   * The HTTP client of lifecycle hooks: like the kubelet's, it does not verify the certificates of
   * HTTPS hooks (they target the pod itself) and follows no redirects.
   */
  private static HttpClient hookHttpClient() {
    try {
      javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
      tls.init(
          null,
          new javax.net.ssl.TrustManager[] {
            new javax.net.ssl.X509TrustManager() {
              @Override
              public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

              @Override
              public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

              @Override
              public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
              }
            }
          },
          null);
      return HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .sslContext(tls)
          .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS for lifecycle hooks", e);
    }
  }

  /**
   * ConfigMaps and Secrets: from the API server once the control plane attaches it, else (and as
   * fallback) from {@code --static-object-dir}, else none.
   */
  private ConfigSource configObjects() {
    podObjects =
        new PodObjects(
            settings.staticObjectDir() == null
                ? ConfigSource.NONE
                : new StaticObjects(settings.staticObjectDir()));
    return podObjects;
  }

  /** The kubelet's admission with this node's allocatable and the default 110 pods. */
  private PodDispatcher.Gate admission() {
    NodeContext node = HostFacts.nodeContext(settings.nodeName());
    // capacity less kubeReserved, systemReserved and the hard eviction threshold, as on the Node
    NodeRegistration.Allocatable allocatable =
        settings
            .nodeRegistration()
            .allocatable(
                milli(node.allocatable().get("cpu")),
                Quantity.getAmountInBytes(
                        node.allocatable().getOrDefault("memory", new Quantity("0")))
                    .longValue(),
                0);
    PodAdmitter admitter =
        new PodAdmitter(
            new PodAdmitter.NodeLimits(
                settings.tuning().maxPods(), allocatable.cpuMillis(), allocatable.memoryBytes()),
            settings.tuning().allowedUnsafeSysctls());
    return new PodDispatcher.Gate(
        (pod, admitted) -> {
          java.util.Optional<io.berth.agent.admission.Admission> shuttingDown =
              nodeShutdown.admit(pod).map(r -> r);
          if (shuttingDown.isPresent()) {
            return shuttingDown.get();
          }
          ControlPlane cp = controlPlane;
          if (cp != null && ApiServerSource.isFromApi(pod)) {
            var untolerated =
                TaintAdmission.check(pod, cp.nodeTaints(settings.nodeRegistration().taints()));
            if (untolerated.isPresent()) {
              return untolerated.get();
            }
          }
          return admitter.admit(pod, admitted);
        },
        uid ->
            podStatuses
                .get(uid)
                .map(p -> PodStatuses.isTerminal(p.getStatus().getPhase()))
                .orElse(false),
        podStatuses::reject);
  }

  private static long milli(Quantity q) {
    return q == null
        ? Long.MAX_VALUE
        : Quantity.getAmountInBytes(q).multiply(java.math.BigDecimal.valueOf(1000)).longValue();
  }

  /**
   * Pods: sources → PodConfig → (feeder thread) → sync loop → PodDispatcher → PodWorkers; PLEG
   * relists every second into the loop. Orphans are removed only when a source is configured.
   */
  private void startPods() {
    boolean hasSources =
        settings.podManifestPath() != null
            || settings.manifestUrl() != null
            || settings.kubeconfig() != null;
    PodDispatcher dispatcher =
        new PodDispatcher(
            podWorkers,
            pleg::runtimePods,
            () ->
                podConfig.mergedState().stream()
                    .map(p -> p.getMetadata().getUid())
                    .collect(Collectors.toSet()),
            hasSources ? podConfig::allSourcesReady : () -> false,
            admission());
    syncLoop.onPodEvents(
        new SyncLoop.PodEventHandler() {
          @Override
          public void podConfigChanged(PodUpdate update) {
            dispatcher.podUpdate(update);
          }

          @Override
          public void podLifecycleEvent(PodLifecycleEvent event) {
            dispatcher.lifecycleEvent(event, podStatuses::isNews);
          }
        });
    syncLoop.onProbeResults(new ProbeSyncHandler(podWorkers::resync, events));
    probeResultsFeeder =
        Thread.ofVirtual()
            .name("berth-probe-results")
            .start(
                () -> {
                  try {
                    while (true) {
                      syncLoop.offer(new SyncLoop.ProbeResultEvent(prober.results().take()));
                    }
                  } catch (InterruptedException e) {
                    // berth stops
                  }
                });
    syncLoop.onHousekeeping(dispatcher::housekeep);
    syncLoop.onHousekeeping(crashLoop::gc);
    syncLoop.onHousekeeping(imagePulls::gc);
    syncLoop.onHousekeeping(
        new LocalStorageEviction(podStatuses, podVolumes, podWorkers::resync, clock)::housekeep);
    podConfigFeeder =
        Thread.ofVirtual()
            .name("berth-pod-config")
            .start(
                () -> {
                  try {
                    while (true) {
                      syncLoop.offer(new SyncLoop.PodConfigUpdate(podConfig.take()));
                    }
                  } catch (InterruptedException e) {
                    // berth stops
                  }
                });
    ManifestReader reader =
        new ManifestReader(decoder, new StaticPodDefaults(settings.nodeName(), decoder));
    if (settings.podManifestPath() != null) {
      manifests = new FileSource(settings.podManifestPath(), reader, podConfig, clock);
      manifests.start(settings.tuning().fileCheckFrequency());
      log.info("static pods from {}", settings.podManifestPath());
    }
    if (settings.manifestUrl() != null) {
      manifestUrl =
          new UrlSource(
              settings.manifestUrl(),
              Map.of(),
              HttpClient.newBuilder().connectTimeout(MANIFEST_URL_TIMEOUT).build(),
              MANIFEST_URL_TIMEOUT,
              settings.tuning().httpCheckFrequency(),
              reader,
              podConfig,
              clock);
      manifestUrl.start();
      log.info(
          "static pods from {} every {}",
          settings.manifestUrl(),
          settings.tuning().httpCheckFrequency());
    }
    if (settings.kubeconfig() != null) {
      // queued until the writer starts below; before the node status' condition events
      events.normal(
          ObjectReference.node(settings.nodeName()),
          KubeletEvents.STARTING_KUBELET,
          "Starting kubelet.");
      controlPlane =
          ControlPlane.start(
              settings,
              new ControlPlane.Parts(
                  podConfig,
                  podStatuses,
                  podWorkers,
                  () -> runtime.runtime().version(),
                  json,
                  clock,
                  podObjects,
                  registry,
                  nodeShutdown,
                  events));
      apiEvents.start();
    }
    plegTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-pleg").daemon(true).unstarted(r));
    pleg.start(plegTimer, PLEG_PERIOD);
    startRuntimeHousekeeping(hasSources);
  }

  /**
   * Container/sandbox GC, pod log directory removal, log rotation and image GC on their own thread.
   */
  private void startRuntimeHousekeeping(boolean hasSources) {
    RuntimeHousekeeping h = settings.runtimeHousekeeping();
    ContainerGarbageCollector gc =
        new ContainerGarbageCollector(
            runtime::runtime,
            h.gcPolicy(),
            () -> podContentRemovable(hasSources),
            settings.podLogsDir(),
            podCgroups,
            clock);
    runtimeHousekeepingTimer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-runtime-gc").daemon(true).unstarted(r));
    runtimeHousekeepingTimer.scheduleWithFixedDelay(
        gc::collect, h.gcPeriod().toMillis(), h.gcPeriod().toMillis(), TimeUnit.MILLISECONDS);
    ContainerLogRotator logs =
        new ContainerLogRotator(
            runtime::runtime, h.containerLogMaxSize(), h.containerLogMaxFiles(), clock);
    runtimeHousekeepingTimer.scheduleWithFixedDelay(
        this::updateQosCgroups,
        QOS_CGROUP_UPDATE.toMillis(),
        QOS_CGROUP_UPDATE.toMillis(),
        TimeUnit.MILLISECONDS);
    runtimeHousekeepingTimer.scheduleWithFixedDelay(
        logs::rotateAll,
        h.logRotationPeriod().toMillis(),
        h.logRotationPeriod().toMillis(),
        TimeUnit.MILLISECONDS);
    if (h.imageGc().spaceBased() || !h.imageGc().maxAge().isZero()) {
      ImageGarbageCollector images =
          new ImageGarbageCollector(
              runtime::runtime, runtime::images, h.imageGc(), json, registry, clock);
      // the first pass soon after start-up (the kubelet's runs at once, after the runtime is up):
      // it records when each image was first seen, which imageMinimumGCAge counts from
      long first = Math.min(h.imageGcPeriod().toMillis(), IMAGE_GC_FIRST_PASS.toMillis());
      runtimeHousekeepingTimer.scheduleWithFixedDelay(
          images::collect, first, h.imageGcPeriod().toMillis(), TimeUnit.MILLISECONDS);
    } else {
      log.info("image GC is off: imageGCHighThresholdPercent 100 and no imageMaximumGCAge");
    }
  }

  /** The QoS levels' CPU shares from the active pods, as the kubelet's periodic update. */
  private void updateQosCgroups() {
    try {
      podCgroups.updateQosCgroups(activePods());
    } catch (RuntimeException e) { // keep the periodic task alive
      log.warn("updating the QoS cgroups failed, retrying in a minute: {}", e.getMessage());
    }
  }

  /**
   * The kubelet's {@code GetActivePods}: the pods of every source whose worker has not finished and
   * whose phase is not Succeeded or Failed.
   */
  private List<Pod> activePods() {
    List<Pod> active = new ArrayList<>();
    for (Pod p : podConfig.mergedState()) {
      String uid = p.getMetadata().getUid();
      boolean finished =
          podWorkers.state(uid).map(s -> s == PodWorkers.State.TERMINATED).orElse(false)
              || podStatuses
                  .get(uid)
                  .map(v -> v.getStatus() == null ? "" : v.getStatus().getPhase())
                  .map(phase -> "Succeeded".equals(phase) || "Failed".equals(phase))
                  .orElse(false);
      if (!finished) {
        active.add(p);
      }
    }
    return active;
  }

  /**
   * The kubelet's {@code ShouldPodContentBeRemoved} as a snapshot: a pod no source claims and no
   * worker still handles, once every source has synced (never without a source).
   */
  private Predicate<String> podContentRemovable(boolean hasSources) {
    if (!hasSources || !podConfig.allSourcesReady()) {
      return uid -> false;
    }
    Set<String> claimed =
        podConfig.mergedState().stream()
            .map(p -> p.getMetadata().getUid())
            .collect(Collectors.toSet());
    return uid ->
        !claimed.contains(uid)
            && podWorkers.state(uid).map(s -> s == PodWorkers.State.TERMINATED).orElse(true);
  }

  /** Starts serving; returns once the HTTP API listens. The runtime may come later. */
  public synchronized void start() throws IOException {
    systemd = SdNotifier.fromEnvironment(env);
    // Connecting (~0.4 s: gRPC and Netty epoll start-up) overlaps the rest of start-up; READY=1
    // waits for both (see runtimeConnected).
    systemd.status("connecting to the container runtime at " + settings.runtimeEndpoint());
    runtime.connectInBackground(this::runtimeConnected);
    try {
      startServing();
    } finally {
      serving.countDown();
    }
  }

  private void startServing() throws IOException {
    bindOwnMetrics();
    HttpRoutes routes =
        new HttpRoutes()
            .get("/healthz", r -> healthz())
            .get("/pods", r -> podStatuses.podsReply())
            .get("/pods/rejected", r -> podStatuses.rejectedReply())
            .get(
                "/metrics/probes",
                io.berth.agent.http.GzipNegotiation.negotiated(
                    r -> HttpReply.ok(TextExposition.CONTENT_TYPE, prober.scrape())))
            .get("/probes", r -> prober.probesReply())
            .get(
                "/services",
                r -> io.berth.agent.http.ServiceListReply.of(serviceProxy.services(), json));
    metricsEndpoints =
        NodeMetricsEndpoints.forHost(
            new RuntimePodInventory(runtime::runtime, pleg::lastListing, clock, pooledJson),
            registry,
            settings.nodeName(),
            settings.rootDir(),
            clock);
    metricsEndpoints.register(routes);
    http = HttpApiServer.start(settings.httpAddress(), routes, HttpLimits.defaults());
    log.info("serving {} on http://{}", routes.paths(), hostPort(http.address()));
    startNodeApi(routes);
    startPods();
    serviceProxy.start(
        registry,
        java.util.Optional.ofNullable(controlPlane)
            .map(
                c ->
                    io.berth.agent.kubeapi.ProxyConfigSource.of(
                        c.api(), clock, settings.nodeName())));
    syncLoop.start();
    nodeShutdown.start();
    timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("berth-timers").daemon(true).unstarted(r));
    WatchdogKeeper.intervalFromEnvironment(env, ProcessHandle.current().pid())
        .ifPresent(
            interval -> {
              watchdog = new WatchdogKeeper(systemd, heartbeat, interval);
              watchdog.start(timers);
              log.info("systemd watchdog: pinging every {}", watchdog.pingPeriod());
            });
  }

  /** The secure node API (10250) over the same local routes, when configured. */
  private void startNodeApi(HttpRoutes routes) {
    NodeServerSettings n = settings.nodeServer();
    if (!n.enabled()) {
      return;
    }
    Optional<KubeApiClient> api =
        Optional.ofNullable(settings.kubeconfig()).map(f -> ControlPlane.client(settings, clock));
    nodeApi =
        NodeApi.start(
            n,
            new NodeApi.Sources(
                settings.nodeName(),
                HostFacts.hostIps().stream()
                    .map(NodeAgent::address)
                    .flatMap(Optional::stream)
                    .toList(),
                routes,
                new NodeContainers(podStatuses::podList, runtime::runtime, json),
                api),
            clock);
    log.info("serving the node API on https://{}", hostPort(nodeApi.address()));
  }

  private static Optional<java.net.InetAddress> address(String ip) {
    try {
      return Optional.of(java.net.InetAddress.getByName(ip));
    } catch (java.net.UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Where the node API listens; empty when it is off. */
  public Optional<InetSocketAddress> nodeApiAddress() {
    return Optional.ofNullable(nodeApi).map(NodeApiServer::address);
  }

  private void runtimeConnected(CriRuntime cri) {
    try {
      serving.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (http == null) {
      return; // start-up failed; berth is exiting
    }
    var v = cri.version();
    systemd.ready(
        "runtime "
            + v.runtimeName()
            + " "
            + v.runtimeVersion()
            + " connected; serving on "
            + hostPort(http.address()));
  }

  /** Healthy while the sync loop beats: within three housekeeping periods. */
  private HttpReply healthz() {
    Duration maxAge = settings.housekeepingPeriod().multipliedBy(3);
    if (heartbeat.freshWithin(maxAge)) {
      return HttpReply.text(200, "ok");
    }
    return HttpReply.text(500, "sync loop stalled: last beat " + heartbeat.last() + "\n");
  }

  /**
   * berth's registry, its filters set before any meter registers (Micrometer warns otherwise, and
   * meters registered earlier would escape them).
   */
  private static PrometheusMeterRegistry ownRegistry() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Keep /metrics clean under promtool's lint: Micrometer's process.cpu.time (nanoseconds in
    // the name) duplicates process_cpu_usage; system.cpu.count would end in _count, which
    // Prometheus reserves for histograms and summaries.
    r.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
    r.config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count")
                    ? id.withName("system.cpu.cores")
                    : id;
              }
            });
    return r;
  }

  private void bindOwnMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("berth_runtime_connected", runtime, r -> r.isConnected() ? 1 : 0)
        .description("1 when berth is connected to its container runtime")
        .register(registry);
    Gauge.builder(
            "berth_sync_loop_last_beat_seconds", heartbeat, h -> h.last().toEpochMilli() / 1000.0)
        .description("Unix time of the sync loop's last iteration")
        .register(registry);
  }

  public InetSocketAddress httpAddress() {
    return http.address();
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  @Override
  public synchronized void close() {
    systemd.stopping("berth is stopping; pods keep running");
    nodeShutdown.close();
    if (watchdog != null) {
      watchdog.close();
    }
    if (timers != null) {
      timers.shutdownNow();
    }
    if (manifestUrl != null) {
      manifestUrl.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
    if (apiEvents != null) {
      apiEvents.close();
    }
    if (manifests != null) {
      manifests.close();
    }
    if (podConfigFeeder != null) {
      podConfigFeeder.interrupt();
    }
    if (probeResultsFeeder != null) {
      probeResultsFeeder.interrupt();
    }
    pleg.close();
    if (plegTimer != null) {
      plegTimer.shutdownNow();
    }
    if (runtimeHousekeepingTimer != null) {
      runtimeHousekeepingTimer.shutdownNow();
    }
    serviceProxy.close();
    syncLoop.close();
    podWorkers.close();
    prober.close();
    if (http != null) {
      http.close();
    }
    if (nodeApi != null) {
      nodeApi.close();
    }
    if (metricsEndpoints != null) {
      metricsEndpoints.close(); // the cgroup files held between scrapes
    }
    runtime.close();
    systemd.close();
    registry.close();
  }
}
