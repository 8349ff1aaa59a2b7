package io.berth.agent.pod;

import io.berth.agent.kuberuntime.ComputePodActions;
import io.berth.agent.kuberuntime.ContainerConfigException;
import io.berth.agent.kuberuntime.ContainerConfigs;
import io.berth.agent.kuberuntime.ContainerStates;
import io.berth.agent.kuberuntime.CrashLoopBackoff;
import io.berth.agent.kuberuntime.ImagePulls;
import io.berth.agent.kuberuntime.ObservedPod;
import io.berth.agent.kuberuntime.PodActions;
import io.berth.agent.kuberuntime.PodDefaults;
import io.berth.agent.kuberuntime.ProbeResults;
import io.berth.agent.kuberuntime.RuntimeLabels;
import io.berth.agent.kuberuntime.RuntimeStateMapper;
import io.berth.agent.kuberuntime.SandboxConfigs;
import io.berth.cri.ContainerConfig;
import io.berth.cri.ContainerFilter;
import io.berth.cri.ContainerState;
import io.berth.cri.CriException;
import io.berth.cri.CriNotFoundException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.Image;
import io.berth.cri.ImageService;
import io.berth.cri.ImageSpec;
import io.berth.cri.PodSandboxConfig;
import io.berth.cri.PodSandboxFilter;
import io.berth.cri.PodSandboxStatus;
import io.berth.cri.RuntimeService;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
      List<String> hostIps) {
    public Parts {
      hostIps = List.copyOf(hostIps);
    }
  }

  private final Parts parts;
  private final PodCgroups cgroups;
  private volatile String runtimeName;

  public RuntimePodSyncer(Parts parts) {
    this(parts, new PodCgroups.Unmanaged("not asked for"));
  }

  /** With pod-level cgroups made before each sandbox and removed after the pod's last one. */
  public RuntimePodSyncer(Parts parts, PodCgroups cgroups) {
    this.parts = parts;
    this.cgroups = cgroups;
  }

  @Override
  public Duration syncPod(Pod source) {
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
    // A pod that reached Succeeded/Failed stays there: its containers and sandbox are stopped
    // (the kubelet gets there through the terminal phase the status manager holds).
    parts
        .statuses()
        .get(uid)
        .map(p -> p.getStatus().getPhase())
        .filter(PodStatuses::isTerminal)
        .ifPresent(phase -> pod.setStatus(new PodStatusBuilder().withPhase(phase).build()));
    ObservedPod observed = observe(rt, uid);
    PodActions a = parts.actions().compute(pod, observed, ProbeResults.none());
    Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting = new LinkedHashMap<>();
    Duration grace = grace(pod);
    if (a.killPod()) {
      if (!running(observed).isEmpty()
          || observed.sandboxes().stream().anyMatch(ObservedPod.Sandbox::ready)) {
        log.info("pod {} ({}): killing the pod: {}", name, uid, a.reason());
      }
      stopContainers(rt, running(observed), grace);
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
                rt.stopContainer(id, grace);
              });
    }
    if (!a.createSandbox() && (a.killPod() || a.sandboxId().isEmpty())) {
      record(pod, observe(rt, uid), waiting);
      return RESYNC;
    }
    PodSandboxConfig sandbox = parts.sandboxes().generate(pod, a.attempt());
    String sandboxId = a.sandboxId();
    List<String> podIps = observed.podIps();
    ObservedPod before = observed;
    if (a.createSandbox()) {
      log.info("pod {} ({}): creating sandbox attempt {}: {}", name, uid, a.attempt(), a.reason());
      cgroups.ensureExists(pod);
      sandboxId = rt.runPodSandbox(sandbox);
      PodSandboxStatus st = rt.podSandboxStatus(sandboxId);
      podIps =
          st.ip() == null || st.ip().isEmpty()
              ? List.of()
              : Stream.concat(Stream.of(st.ip()), st.additionalIps().stream()).toList();
      if (a.killPod() || !a.containersToKill().isEmpty()) {
        before = observe(rt, uid); // what the kills changed; a new pod has nothing to re-read
      }
    }
    StartScope ctx = new StartScope(rt, pod, sandboxId, sandbox, podIps, before, waiting);
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
    record(pod, observe(rt, uid), waiting);
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
      Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting) {}

  /** Starts one container; false when it could not (the reason goes to {@code ctx.waiting}). */
  private boolean start(StartScope ctx, Container c) {
    RuntimeService rt = ctx.rt();
    Pod pod = ctx.pod();
    PodSandboxConfig sandbox = ctx.sandbox();
    ObservedPod before = ctx.before();
    var waiting = ctx.waiting();
    String what = "pod " + PodStatuses.fullName(pod) + " container " + c.getName();
    if (parts.crashLoop().check(pod, c, before) instanceof CrashLoopBackoff.Decision.Wait w) {
      log.debug("{}: {}", what, w.message());
      waiting.put(c.getName(), ContainerStates.waiting(w.reason(), w.message()));
      return false;
    }
    ImageService images = parts.images().get();
    Optional<String> present = images.imageStatus(c.getImage()).map(Image::id);
    String imageRef;
    switch (parts.pulls().plan(pod, c, present)) {
      case ImagePulls.Plan.UsePresent p -> imageRef = p.imageRef();
      case ImagePulls.Plan.Pull p -> {
        try {
          log.info("{}: pulling image {}", what, p.image());
          imageRef = images.pullImage(ImageSpec.of(p.image()), null, sandbox);
        } catch (CriException e) {
          ImagePulls.Plan.Fail f = parts.pulls().pullFailed(pod, c, e.getMessage());
          log.warn("{}: {}", what, f.message());
          waiting.put(c.getName(), ContainerStates.waiting(f.reason(), f.message()));
          return false;
        }
      }
      case ImagePulls.Plan.Fail f -> {
        log.warn("{}: {}", what, f.message());
        waiting.put(c.getName(), ContainerStates.waiting(f.reason(), f.message()));
        return false;
      }
    }
    int restartCount = ContainerConfigs.nextRestartCount(before, c.getName());
    ContainerConfig config;
    try {
      config =
          parts
              .containers()
              .generate(
                  pod,
                  c,
                  new ContainerConfigs.StartContext(
                      restartCount, imageRef, ctx.podIps(), Map.of(), List.of()));
    } catch (ContainerConfigException e) {
      log.warn("{}: {}", what, e.getMessage());
      waiting.put(c.getName(), ContainerStates.waiting(e.reason(), e.getMessage()));
      return false;
    }
    String id;
    try {
      id = rt.createContainer(ctx.sandboxId(), config, sandbox);
    } catch (CriException e) {
      log.warn("{}: create failed: {}", what, e.getMessage());
      waiting.put(c.getName(), ContainerStates.waiting("CreateContainerError", e.getMessage()));
      return false;
    }
    try {
      rt.startContainer(id);
    } catch (CriException e) {
      log.warn("{}: start of {} failed: {}", what, id, e.getMessage());
      waiting.put(c.getName(), ContainerStates.waiting("RunContainerError", e.getMessage()));
      return false;
    }
    log.info("{}: started {} (restart count {})", what, id, restartCount);
    return true;
  }

  @Override
  public void terminatePod(String uid, Optional<Pod> pod, Duration gracePeriod) {
    RuntimeService rt = parts.runtime().get();
    String name = pod.map(PodStatuses::fullName).orElse("<orphan>");
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
    stopContainers(rt, running(observed), grace);
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
    parts.statuses().remove(uid);
    log.info("pod {} ({}): terminated, sandboxes removed", name, uid);
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

  /** Stops the containers in parallel, each with {@code grace}; rethrows the first failure. */
  private static void stopContainers(RuntimeService rt, List<String> ids, Duration grace) {
    List<Thread> threads = new ArrayList<>();
    List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (String id : ids) {
      threads.add(
          Thread.ofVirtual()
              .name("stop-" + id)
              .start(
                  () -> {
                    try {
                      rt.stopContainer(id, grace);
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
        throw new IllegalStateException("interrupted while stopping containers " + ids, e);
      }
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }

  private static List<String> running(ObservedPod observed) {
    return observed.containers().stream()
        .filter(c -> c.state() == ContainerState.RUNNING || c.state() == ContainerState.CREATED)
        .map(ObservedPod.Container::id)
        .toList();
  }

  static ObservedPod observe(RuntimeService rt, String uid) {
    Map<String, String> selector = Map.of(RuntimeLabels.POD_UID, uid);
    List<PodSandboxStatus> sandboxes = new ArrayList<>();
    for (var s : rt.listPodSandbox(PodSandboxFilter.withLabels(selector))) {
      try {
        sandboxes.add(rt.podSandboxStatus(s.id()));
      } catch (CriNotFoundException e) {
        log.debug("pod {}: sandbox {} went away while listing", uid, s.id());
      }
    }
    List<io.berth.cri.ContainerStatus> containers = new ArrayList<>();
    for (var c : rt.listContainers(ContainerFilter.withLabels(selector))) {
      try {
        containers.add(rt.containerStatus(c.id()));
      } catch (CriNotFoundException e) {
        log.debug("pod {}: container {} went away while listing", uid, c.id());
      }
    }
    return RuntimeStateMapper.observe(uid, sandboxes, containers);
  }

  private void record(
      Pod pod,
      ObservedPod observed,
      Map<String, io.fabric8.kubernetes.api.model.ContainerState> waiting) {
    parts
        .statuses()
        .update(new PodStatuses.Input(pod, observed, waiting, runtimeName(), parts.hostIps()));
  }

  private String runtimeName() {
    String n = runtimeName;
    if (n == null) {
      n = parts.runtime().get().version().runtimeName();
      runtimeName = n;
    }
    return n;
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
