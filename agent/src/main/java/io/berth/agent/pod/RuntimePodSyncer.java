package io.berth.agent.pod;

import io.berth.agent.events.EventType;
import io.berth.agent.events.KubeletEvents;
import io.berth.agent.events.PodEvents;
import io.berth.agent.kuberuntime.ComputePodActions;
import io.berth.agent.kuberuntime.ContainerConfigException;
import io.berth.agent.kuberuntime.ContainerConfigs;
import io.berth.agent.kuberuntime.ContainerStates;
import io.berth.agent.kuberuntime.CrashLoopBackoff;
import io.berth.agent.kuberuntime.EphemeralContainers;
import io.berth.agent.kuberuntime.ImagePulls;
import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.PodActions;
import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.agent.kuberuntime.RunAsNonRoot;
import io.berth.agent.kuberuntime.RuntimeLabels;
import io.berth.agent.kuberuntime.RuntimeStateMapper;
import io.berth.agent.kuberuntime.SandboxConfigs;
import io.berth.agent.kuberuntime.ServiceEnv;
import io.berth.agent.volume.PodVolumes;
import io.berth.agent.volume.VolumeException;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriException;
import io.berth.cri.CriNotFoundException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.Image;
import io.berth.cri.ImageService;
import io.berth.cri.ImageSpec;
import io.berth.cri.Mount;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.RuntimeService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod worker's sync against the CRI (kuberuntime_manager.go {@code SyncPod} and {@code
 * killPodWithSyncResult}): observe the runtime by the pod's UID label, {@link ComputePodActions},
 * then kill, create the sandbox, pull images per {@link ImagePulls}, and create and start init
 * containers then containers, honouring {@link CrashLoopBackoff}. After each sync the pod's status
 * goes to the {@link PodStatusView}.
 *
 * <p>Thread safety: called by pod workers, one at a time per pod; the back-off tables it shares are
 * thread-safe.
 */
public final class RuntimePodSyncer implements PodSyncer {
  private static final Logger log = LoggerFactory.getLogger(RuntimePodSyncer.class);

  /** Resync period of a pod with nothing pending (the kubelet's is about a minute). */
  public static final Duration RESYNC = Duration.ofSeconds(10);

  /** Resync period while a container waits on a back-off or an error. */
  public static final Duration RETRY = Duration.ofSeconds(1);

  /** The kubelet's {@code minimumGracePeriodInSeconds}. */
  static final Duration MIN_GRACE = Duration.ofSeconds(2);

  static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

  /** What the syncer drives and decides with. */
  public record Parts(
      Supplier<RuntimeService> runtime,
      Supplier<ImageService> images,
      SandboxConfigs sandboxes,
      ContainerConfigs containers,
      ComputePodActions actions,
      CrashLoopBackoff crashLoop,
      ImagePulls pulls,
      PodStatusView statuses,
      List<String> hostIps,
      PodVolumes volumes,
      Supplier<List<Service>> services,
      PodProbes probes,
      LifecycleHooks hooks,
      PodEvents events) {
    public Parts {
      hostIps = List.copyOf(hostIps);
      probes = probes == null ? PodProbes.NONE : probes;
      events = events == null ? PodEvents.NONE : events;
    }
  }

  private final Parts parts;
  private final PodCgroups cgroups;
  private final UnlistedPods unlisted;
  private volatile String runtimeName;

  public RuntimePodSyncer(Parts parts) {
    this(parts, new PodCgroups.Unmanaged("not asked for"));
  }

  /** With pod-level cgroups made before each sandbox and removed after the pod's last one. */
  public RuntimePodSyncer(Parts parts, PodCgroups cgroups) {
    this(parts, cgroups, UnlistedPods.never());
  }

  /**
   * @param unlisted which pods the runtime surely has nothing of, so that their first sync need not
   *     list it
   */
  public RuntimePodSyncer(Parts parts, PodCgroups cgroups, UnlistedPods unlisted) {
    this.parts = parts;
    this.cgroups = cgroups;
    this.unlisted = unlisted;
  }

  @Override
  public Duration syncPod(Pod source) {
    Duration next = syncOnce(source);
    // wake up at the active deadline, as the kubelet's activeDeadlineHandler does
    Optional<Duration> deadline = parts.statuses().untilActiveDeadline(source);
    return deadline.isPresent() && deadline.get().compareTo(next) < 0 ? deadline.get() : next;
  }

  private Duration syncOnce(Pod source) {
    Pod pod = PodDefaults.apply(source);
    String uid = pod.getMetadata().getUid();
    String name = PodStatuses.fullName(pod);
    RuntimeService rt;
    try {
      rt = parts.runtime().get();
    } catch (CriUnavailableException e) {
      log.debug("pod {} ({}): waiting for the runtime: {}", name, uid, e.getMessage());
      return RETRY;
    }
    if (parts.statuses().enforceActiveDeadline(pod)) {
      log.info("pod {} ({}): active longer than activeDeadlineSeconds, failing it", name, uid);
    }
    // A pod that reached Succeeded/Failed stays there: its containers and sandbox are stopped
    // (the kubelet gets there through the terminal phase the status manager holds).
    parts
        .statuses()
        .get(uid)
        .map(p -> p.getStatus().getPhase())
        .filter(PodStatuses::isTerminal)
        .ifPresent(phase -> pod.setStatus(new PodStatusBuilder().withPhase(phase).build()));
    ObservedPod observed =
        unlisted.surelyEmpty(uid)
            ? RuntimeStateMapper.observe(uid, List.of(), List.of())
            : observe(rt, uid);
    parts.statuses().syncStarts(uid, !observed.containers().isEmpty());
    parts.probes().observe(pod, observed, parts.hostIps());
    PodActions a = parts.actions().compute(pod, observed, parts.probes().results(observed));
    Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting = new LinkedHashMap<>();
    Duration grace = parts.statuses().killGrace(uid).orElse(grace(pod));
    if (a.killPod()) {
      if (!running(observed).isEmpty()
          || observed.sandboxes().stream().anyMatch(ObservedPod.Sandbox::ready)) {
        log.info("pod {} ({}): killing the pod: {}", name, uid, a.reason());
      }
      stopContainers(rt, Optional.of(pod), runningContainers(observed), grace, observed.podIps());
      observed.sandboxes().stream()
          .filter(ObservedPod.Sandbox::ready)
          .forEach(s -> rt.stopPodSandbox(s.id()));
    } else {
      a.containersToKill()
          .forEach(
              (id, why) -> {
                log.info(
                    "pod {} ({}): killing container {} ({}): {}",
                    name,
                    uid,
                    why.name(),
                    id,
                    why.message());
                killContainer(
                    rt,
                    Optional.of(pod),
                    id,
                    why.name(),
                    running(observed).contains(id),
                    killGrace(pod, why, grace),
                    observed.podIps(),
                    why.message());
              });
    }
    if (!a.createSandbox() && (a.killPod() || a.sandboxId().isEmpty())) {
      record(pod, observe(rt, uid), waiting);
      return RESYNC;
    }
    Map<String, PodVolumes.VolumeDir> volumes;
    try {
      volumes = parts.volumes().setUp(pod);
    } catch (VolumeException e) {
      // the kubelet's FailedMount: containers wait in ContainerCreating until the volumes are there
      log.warn("pod {} ({}): unable to set up volumes: {}", name, uid, e.getMessage());
      parts
          .events()
          .podWaiting(
              pod,
              EventType.WARNING,
              KubeletEvents.FAILED_MOUNT_VOLUME,
              "MountVolume.SetUp failed for " + e.getMessage());
      for (String n :
          Stream.concat(a.initContainersToStart().stream(), a.containersToStart().stream())
              .toList()) {
        waiting.put(
            n, ContainerStates.waiting("ContainerCreating", "FailedMount: " + e.getMessage()));
      }
      record(pod, observed, waiting);
      return RETRY;
    }
    PodSandboxConfig sandbox = parts.sandboxes().generate(pod, a.attempt());
    String sandboxId = a.sandboxId();
    List<String> podIps = observed.podIps();
    ObservedPod before = observed;
    Created created = new Created();
    if (a.createSandbox()) {
      log.info("pod {} ({}): creating sandbox attempt {}: {}", name, uid, a.attempt(), a.reason());
      cgroups.ensureExists(pod);
      unlisted.creating(uid);
      sandboxId = rt.runPodSandbox(sandbox);
      PodSandboxStatus st = rt.podSandboxStatus(sandboxId);
      created.sandbox = st;
      podIps =
          st.ip() == null || st.ip().isEmpty()
              ? List.of()
              : Stream.concat(Stream.of(st.ip()), st.additionalIps().stream()).toList();
      // what the kills changed; a new pod (killPod is set whenever a sandbox is created, as in
      // the kubelet) had nothing to kill and nothing to re-read
      boolean hadSomething = !observed.sandboxes().isEmpty() || !observed.containers().isEmpty();
      if ((a.killPod() && hadSomething) || !a.containersToKill().isEmpty()) {
        before = observe(rt, uid);
      }
    }
    StartScope ctx =
        new StartScope(rt, pod, sandboxId, sandbox, podIps, before, waiting, volumes, created);
    boolean retry = false;
    for (String n : a.initContainersToStart()) {
      if (!start(ctx, byName(pod.getSpec().getInitContainers(), n))) {
        retry = true;
        break; // the next init container waits for this one
      }
    }
    for (String n : a.containersToStart()) {
      retry |= !start(ctx, byName(pod.getSpec().getContainers(), n));
    }
    if (!a.createSandbox()) {
      // ephemeral containers run once, in the running sandbox only, and are never restarted
      for (Container e : EphemeralContainers.toStart(pod, before)) {
        retry |= !start(ctx, e);
      }
    }
    record(
        pod,
        reobserve(rt, before, sandboxId, Optional.ofNullable(created.sandbox), created.containers),
        waiting);
    return retry ? RETRY : RESYNC;
  }

  /** What the container starts of one sync share: runtime, pod, sandbox, IPs, observed state. */
  private record StartScope(
      RuntimeService rt,
      Pod pod,
      String sandboxId,
      PodSandboxConfig sandbox,
      List<String> podIps,
      ObservedPod before,
      Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting,
      Map<String, PodVolumes.VolumeDir> volumes,
      Created created) {}

  /** What one sync created: the new sandbox's status (read once) and the new containers' IDs. */
  private static final class Created {
    PodSandboxStatus sandbox;
    final List<String> containers = new ArrayList<>();
  }

  /** Starts one container; false when it could not (the reason goes to {@code ctx.waiting}). */
  private boolean start(StartScope ctx, Container c) {
    RuntimeService rt = ctx.rt();
    Pod pod = ctx.pod();
    PodSandboxConfig sandbox = ctx.sandbox();
    ObservedPod before = ctx.before();
    var waiting = ctx.waiting();
    String what = "pod " + PodStatuses.fullName(pod) + " container " + c.getName();
    PodEvents events = parts.events();
    if (parts.crashLoop().check(pod, c, before) instanceof CrashLoopBackoff.Decision.Wait w) {
      log.debug("{}: {}", what, w.message());
      waiting.put(c.getName(), ContainerStates.waiting(w.reason(), w.message()));
      events.containerWaiting(
          pod,
          c.getName(),
          EventType.WARNING,
          KubeletEvents.BACK_OFF_START_CONTAINER,
          "Back-off restarting failed container "
              + c.getName()
              + " in pod "
              + pod.getMetadata().getName()
              + "_"
              + pod.getMetadata().getNamespace()
              + "("
              + pod.getMetadata().getUid()
              + ")");
      return false;
    }
    ImageService images = parts.images().get();
    Optional<Image> status = images.imageStatus(c.getImage());
    Optional<String> present = status.map(Image::id);
    String imageRef;
    switch (parts.pulls().plan(pod, c, present)) {
      case ImagePulls.Plan.UsePresent p -> {
        imageRef = p.imageRef();
        events.container(
            pod, c.getName(), EventType.NORMAL, KubeletEvents.PULLED_IMAGE, p.message());
      }
      case ImagePulls.Plan.Pull p -> {
        try {
          log.info("{}: pulling image {}", what, p.image());
          events.container(
              pod,
              c.getName(),
              EventType.NORMAL,
              KubeletEvents.PULLING_IMAGE,
              "Pulling image \"" + p.image() + "\"");
          long pullStart = System.nanoTime();
          imageRef = images.pullImage(ImageSpec.of(p.image()), null, sandbox);
          Duration took = Duration.ofNanos(System.nanoTime() - pullStart);
          parts.statuses().startLatency().pulled(pod.getMetadata().getUid(), took);
          String in = PodEvents.goMillis(took);
          long size = images.imageStatus(imageRef).map(Image::size).orElse(0L);
          events.container(
              pod,
              c.getName(),
              EventType.NORMAL,
              KubeletEvents.PULLED_IMAGE,
              "Successfully pulled image \""
                  + p.image()
                  + "\" in "
                  + in
                  + " ("
                  + in
                  + " including waiting). Image size: "
                  + size
                  + " bytes.");
        } catch (CriException e) {
          ImagePulls.Plan.Fail f = parts.pulls().pullFailed(pod, c, e.getMessage());
          log.warn("{}: {}", what, f.message());
          waiting.put(c.getName(), ContainerStates.waiting(f.reason(), f.message()));
          events.container(
              pod, c.getName(), EventType.WARNING, KubeletEvents.FAILED_TO_PULL_IMAGE, f.message());
          events.container(
              pod,
              c.getName(),
              EventType.WARNING,
              KubeletEvents.FAILED_TO_CREATE_CONTAINER,
              "Error: " + f.reason());
          return false;
        }
      }
      case ImagePulls.Plan.Fail f -> {
        log.warn("{}: {}", what, f.message());
        waiting.put(c.getName(), ContainerStates.waiting(f.reason(), f.message()));
        if (ImagePulls.ERR_IMAGE_NEVER_PULL.equals(f.reason())) {
          events.containerWaiting(
              pod, c.getName(), EventType.WARNING, KubeletEvents.ERR_IMAGE_NEVER_PULL, f.message());
        } else {
          events.containerWaiting(
              pod, c.getName(), EventType.NORMAL, KubeletEvents.BACK_OFF_PULL_IMAGE, f.message());
        }
        events.containerFailed(pod, c.getName(), f.reason());
        return false;
      }
    }
    int restartCount = ContainerConfigs.nextRestartCount(before, c.getName());
    ContainerConfig config;
    try {
      RunAsNonRoot.verify(
          pod, c, status.isPresent() ? status.get() : images.imageStatus(imageRef).orElse(null));
      Map<String, String> serviceEnv = ServiceEnv.forPod(pod, parts.services().get());
      List<Mount> mounts =
          parts
              .volumes()
              .containerMounts(
                  pod,
                  c,
                  ctx.volumes(),
                  () -> parts.containers().environment(pod, c, ctx.podIps(), serviceEnv),
                  ctx.podIps());
      config =
          parts
              .containers()
              .generate(
                  pod,
                  c,
                  new ContainerConfigs.StartContext(
                      restartCount, imageRef, ctx.podIps(), serviceEnv, mounts));
      config = EphemeralContainers.withTarget(pod, c.getName(), before, config);
    } catch (ContainerConfigException e) {
      log.warn("{}: {}", what, e.getMessage());
      waiting.put(c.getName(), ContainerStates.waiting(e.reason(), e.getMessage()));
      events.containerFailed(pod, c.getName(), e.getMessage());
      return false;
    } catch (VolumeException e) {
      log.warn("{}: {}", what, e.getMessage());
      waiting.put(
          c.getName(), ContainerStates.waiting(ContainerConfigException.REASON, e.getMessage()));
      events.containerFailed(pod, c.getName(), e.getMessage());
      return false;
    }
    String id;
    try {
      unlisted.creating(pod.getMetadata().getUid());
      id = rt.createContainer(ctx.sandboxId(), config, sandbox);
    } catch (CriException e) {
      log.warn("{}: create failed: {}", what, e.getMessage());
      waiting.put(c.getName(), ContainerStates.waiting("CreateContainerError", e.getMessage()));
      events.containerFailed(pod, c.getName(), e.getMessage());
      return false;
    }
    ctx.created().containers.add(id);
    events.container(
        pod,
        c.getName(),
        EventType.NORMAL,
        KubeletEvents.CREATED_CONTAINER,
        "Created container: " + c.getName());
    try {
      rt.startContainer(id);
    } catch (CriException e) {
      log.warn("{}: start of {} failed: {}", what, id, e.getMessage());
      waiting.put(c.getName(), ContainerStates.waiting("RunContainerError", e.getMessage()));
      events.container(
          pod,
          c.getName(),
          EventType.WARNING,
          KubeletEvents.FAILED_TO_START_CONTAINER,
          "Error: " + e.getMessage());
      return false;
    }
    events.container(
        pod,
        c.getName(),
        EventType.NORMAL,
        KubeletEvents.STARTED_CONTAINER,
        "Started container " + c.getName());
    log.info("{}: started {} (restart count {})", what, id, restartCount);
    if (c.getLifecycle() != null && c.getLifecycle().getPostStart() != null) {
      Optional<String> failed =
          parts
              .hooks()
              .run(
                  pod,
                  c,
                  id,
                  c.getLifecycle().getPostStart(),
                  ctx.podIps(),
                  LifecycleHooks.POST_START_LIMIT);
      if (failed.isPresent()) {
        // the kubelet kills the container (FailedPostStartHook); the restart policy decides next
        log.warn("{}: FailedPostStartHook: {}", what, failed.get());
        events.container(
            pod,
            c.getName(),
            EventType.WARNING,
            KubeletEvents.FAILED_POST_START_HOOK,
            failed.get());
        killContainer(
            rt,
            Optional.of(pod),
            id,
            c.getName(),
            true,
            grace(pod),
            ctx.podIps(),
            "FailedPostStartHook");
        return false;
      }
    }
    return true;
  }

  @Override
  public void terminatePod(String uid, Optional<Pod> pod, Duration gracePeriod) {
    RuntimeService rt = parts.runtime().get();
    String name = pod.map(PodStatuses::fullName).orElse("<orphan>");
    parts.probes().stopLivenessAndStartup(uid);
    ObservedPod observed = observe(rt, uid);
    Duration grace = pod.isPresent() ? gracePeriod : orphanGrace(rt, running(observed));
    grace = grace.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : grace;
    log.info(
        "pod {} ({}): terminating {} container(s), {} sandbox(es), grace {} s",
        name,
        uid,
        running(observed).size(),
        observed.sandboxes().size(),
        grace.toSeconds());
    stopContainers(rt, pod, runningContainers(observed), grace, observed.podIps());
    for (ObservedPod.Sandbox s : observed.sandboxes()) {
      rt.stopPodSandbox(s.id());
      rt.removePodSandbox(s.id());
    }
    for (var c :
        rt.listContainers(ContainerFilter.withLabels(Map.of(RuntimeLabels.POD_UID, uid)))) {
      try {
        rt.removeContainer(c.id());
      } catch (CriNotFoundException e) {
        log.debug("pod {}: container {} already gone", uid, c.id());
      }
    }
    try {
      cgroups.destroy(uid);
    } catch (PodCgroupException e) { // runc may still be leaving it: container GC retries
      log.info("{}; the container GC retries", e.getMessage());
    }
    try {
      parts.volumes().tearDown(uid);
    } catch (VolumeException e) {
      log.warn("pod {} ({}): volumes left behind: {}", name, uid, e.getMessage());
    }
    unlisted.removed(uid);
    parts.statuses().remove(uid);
    parts.probes().removePod(uid);
    log.info("pod {} ({}): terminated, sandboxes and volumes removed", name, uid);
  }

  /**
   * An orphan's grace period: the largest {@code io.kubernetes.pod.terminationGracePeriod}
   * annotation of its containers (the kubelet restores it from there), else 30 s.
   */
  private static Duration orphanGrace(RuntimeService rt, List<String> ids) {
    long max = -1;
    for (String id : ids) {
      String v;
      try {
        v = rt.containerStatus(id).annotations().get(RuntimeLabels.POD_TERMINATION_GRACE_PERIOD);
      } catch (CriNotFoundException e) {
        continue;
      }
      if (v != null) {
        try {
          max = Math.max(max, Long.parseLong(v));
        } catch (NumberFormatException e) {
          log.warn("container {}: unparsable grace period annotation \"{}\"", id, v, e);
        }
      }
    }
    return max < 0 ? DEFAULT_GRACE : Duration.ofSeconds(max);
  }

  /**
   * Stops the containers in parallel, each after its preStop hook and with what is left of {@code
   * grace}; rethrows the first failure.
   */
  private void stopContainers(
      RuntimeService rt,
      Optional<Pod> pod,
      List<ObservedPod.Container> containers,
      Duration grace,
      List<String> podIps) {
    List<Thread> threads = new ArrayList<>();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (ObservedPod.Container c : containers) {
      threads.add(
          Thread.ofVirtual()
              .name("stop-" + c.id())
              .start(
                  () -> {
                    try {
                      killContainer(
                          rt,
                          pod,
                          c.id(),
                          c.name(),
                          c.state() == ContainerState.RUNNING,
                          grace,
                          podIps,
                          "");
                    } catch (RuntimeException e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while stopping containers "
                + containers.stream().map(ObservedPod.Container::id).toList(),
            e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }

  /**
   * The kubelet's {@code killContainer}: a running container's preStop hook first, bounded by the
   * grace period, then StopContainer with what is left of it (at least {@link #MIN_GRACE}). A
   * running container's kill is a {@code Killing} event with {@code message} (empty: "Stopping
   * container NAME").
   */
  private void killContainer(
      RuntimeService rt,
      Optional<Pod> pod,
      String id,
      String name,
      boolean running,
      Duration grace,
      List<String> podIps,
      String message) {
    Duration left = grace;
    Optional<Container> spec = pod.flatMap(p -> specOf(p, name));
    if (running && pod.isPresent()) {
      parts
          .events()
          .container(
              pod.get(),
              name,
              EventType.NORMAL,
              KubeletEvents.KILLING_CONTAINER,
              message.isEmpty() ? "Stopping container " + name : message);
    }
    if (running
        && spec.isPresent()
        && spec.get().getLifecycle() != null
        && spec.get().getLifecycle().getPreStop() != null) {
      long t0 = System.nanoTime();
      parts
          .hooks()
          .run(pod.get(), spec.get(), id, spec.get().getLifecycle().getPreStop(), podIps, grace)
          .ifPresent(
              msg -> {
                log.warn("pod {}: {}", PodStatuses.fullName(pod.get()), msg);
                parts
                    .events()
                    .container(
                        pod.get(),
                        name,
                        EventType.WARNING,
                        KubeletEvents.FAILED_PRE_STOP_HOOK,
                        msg);
              });
      left = grace.minus(Duration.ofNanos(System.nanoTime() - t0));
      left = left.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : left;
    }
    rt.stopContainer(id, left);
  }

  private static Optional<Container> specOf(Pod pod, String name) {
    return Stream.of(pod.getSpec().getInitContainers(), pod.getSpec().getContainers())
        .filter(java.util.Objects::nonNull)
        .flatMap(List::stream)
        .filter(c -> c.getName().equals(name))
        .findFirst();
  }

  private static List<ObservedPod.Container> runningContainers(ObservedPod observed) {
    return observed.containers().stream()
        .filter(c -> c.state() == ContainerState.RUNNING || c.state() == ContainerState.CREATED)
        .toList();
  }

  private static List<String> running(ObservedPod observed) {
    return observed.containers().stream()
        .filter(c -> c.state() == ContainerState.RUNNING || c.state() == ContainerState.CREATED)
        .map(ObservedPod.Container::id)
        .toList();
  }

  static ObservedPod observe(RuntimeService rt, String uid) {
    Map<String, String> selector = Map.of(RuntimeLabels.POD_UID, uid);
    return statusesOf(
        rt,
        uid,
        rt.listPodSandbox(PodSandboxFilter.withLabels(selector)).stream().map(s -> s.id()).toList(),
        List.of(),
        rt.listContainers(ContainerFilter.withLabels(selector)).stream().map(c -> c.id()).toList());
  }

  /**
   * The pod's runtime state after a sync that started things, read by ID: the sandboxes and
   * containers {@code before} had, the sandbox this sync used and the containers it created. Only
   * this pod's worker creates them, so nothing else can have appeared and the two listings of
   * {@link #observe} (which scan every sandbox and container on the node, a real cost for the
   * runtime during a burst of pod starts) are not needed; the PLEG's relist still sees everything.
   * A sandbox this sync created is not read again: its status from right after RunPodSandbox is
   * used, and should it die in between, the PLEG's death event wakes the worker.
   */
  static ObservedPod reobserve(
      RuntimeService rt,
      ObservedPod before,
      String sandboxId,
      Optional<PodSandboxStatus> createdSandbox,
      List<String> created) {
    Set<String> sandboxIds = new LinkedHashSet<>();
    before.sandboxes().forEach(s -> sandboxIds.add(s.id()));
    if (sandboxId != null && !sandboxId.isEmpty()) {
      sandboxIds.add(sandboxId);
    }
    createdSandbox.ifPresent(s -> sandboxIds.remove(s.id()));
    Set<String> containerIds = new LinkedHashSet<>();
    before.containers().forEach(c -> containerIds.add(c.id()));
    containerIds.addAll(created);
    return statusesOf(
        rt, before.uid(), sandboxIds, createdSandbox.map(List::of).orElse(List.of()), containerIds);
  }

  /**
   * Pod {@code uid} from the statuses of these sandboxes and containers ({@code known} statuses are
   * added as they are); IDs that went away meanwhile are left out.
   */
  private static ObservedPod statusesOf(
      RuntimeService rt,
      String uid,
      java.util.Collection<String> sandboxIds,
      List<PodSandboxStatus> known,
      java.util.Collection<String> containerIds) {
    List<PodSandboxStatus> sandboxes = new ArrayList<>();
    for (String id : sandboxIds) {
      try {
        sandboxes.add(rt.podSandboxStatus(id));
      } catch (CriNotFoundException e) {
        log.debug("pod {}: sandbox {} went away", uid, id);
      }
    }
    sandboxes.addAll(known);
    List<io.berth.cri.ContainerStatus> containers = new ArrayList<>();
    for (String id : containerIds) {
      try {
        containers.add(rt.containerStatus(id));
      } catch (CriNotFoundException e) {
        log.debug("pod {}: container {} went away", uid, id);
      }
    }
    return RuntimeStateMapper.observe(uid, sandboxes, containers);
  }

  private void record(
      Pod pod,
      ObservedPod observed,
      Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting) {
    parts.probes().observe(pod, observed, parts.hostIps());
    parts
        .statuses()
        .update(
            new PodStatuses.Input(
                pod,
                observed,
                waiting,
                runtimeName(),
                parts.hostIps(),
                parts.probes().readiness(pod.getMetadata().getUid())));
  }

  private String runtimeName() {
    String n = runtimeName;
    if (n == null) {
      n = parts.runtime().get().version().runtimeName();
      runtimeName = n;
    }
    return n;
  }

  /**
   * The grace period to kill a container with: a failed liveness or startup probe's own {@code
   * terminationGracePeriodSeconds} when set, else the pod's (kuberuntime_container.go {@code
   * killContainer}); at least {@link #MIN_GRACE}.
   */
  static Duration killGrace(Pod pod, PodActions.KillInfo why, Duration podGrace) {
    Probe probe =
        switch (why.reason()) {
          case LIVENESS_PROBE_FAILED ->
              containerProbe(pod, why.name(), Container::getLivenessProbe);
          case STARTUP_PROBE_FAILED -> containerProbe(pod, why.name(), Container::getStartupProbe);
          case SPEC_CHANGED, UNKNOWN_STATE -> null;
        };
    if (probe == null || probe.getTerminationGracePeriodSeconds() == null) {
      return podGrace;
    }
    Duration d = Duration.ofSeconds(probe.getTerminationGracePeriodSeconds());
    return d.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : d;
  }

  private static Probe containerProbe(
      Pod pod, String name, java.util.function.Function<Container, Probe> which) {
    return Stream.concat(
            pod.getSpec().getContainers().stream(), pod.getSpec().getInitContainers().stream())
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .map(which)
        .orElse(null);
  }

  /** The pod's termination grace period, at least {@link #MIN_GRACE}. */
  static Duration grace(Pod pod) {
    Long s = pod.getSpec().getTerminationGracePeriodSeconds();
    Duration d = s == null ? DEFAULT_GRACE : Duration.ofSeconds(s);
    return d.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : d;
  }

  private static Container byName(List<Container> list, String name) {
    return list.stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no container " + name + " in the pod spec"));
  }
}
