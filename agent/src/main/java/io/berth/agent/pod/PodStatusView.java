package io.berth.agent.pod;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.admission.Admission;
import io.berth.agent.config.RejectedManifest;
import io.berth.agent.http.HttpReply;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * berth's local view of its pods (the status manager's cache, without an API server yet): the
 * newest status each worker computed, served as a v1 {@code PodList} at {@code GET /pods}, and the
 * manifests berth refuses at {@code GET /pods/rejected}.
 *
 * <p>Thread safety: any thread; workers write, HTTP handlers read.
 */
public final class PodStatusView {
  private final Clock clock;
  private final ObjectMapper json;
  private final Supplier<List<RejectedManifest>> rejected;
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final SeenRuntimeStates seen = new SeenRuntimeStates();
  private volatile java.util.function.Consumer<String> statusChanged = uid -> {};
  private final Map<String, java.time.Duration> killGrace = new ConcurrentHashMap<>();

  private final PodStartLatency startLatency;

  public PodStatusView(Clock clock, ObjectMapper json, Supplier<List<RejectedManifest>> rejected) {
    this(clock, json, rejected, new PodStartLatency(PodStartLatency.Observer.NONE));
  }

  public PodStatusView(
      Clock clock,
      ObjectMapper json,
      Supplier<List<RejectedManifest>> rejected,
      PodStartLatency startLatency) {
    this.clock = clock;
    this.json = json;
    this.rejected = rejected;
    this.startLatency = startLatency;
  }

  /** A worker's sync of {@code uid} begins (starts the pod start clock once). */
  public void syncStarts(String uid, boolean runtimeHasContainers) {
    startLatency.syncStarts(uid, runtimeHasContainers, clock.instant());
  }

  /**
   * Tells {@code listener} the uid of each pod whose recorded status changed (or that was removed),
   * on the recording thread; the status manager is woken by it.
   */
  public void onStatusChanged(java.util.function.Consumer<String> listener) {
    this.statusChanged = listener;
  }

  private void put(String uid, Pod pod) {
    Pod old = pods.put(uid, pod);
    if (old == null || !java.util.Objects.equals(old.getStatus(), pod.getStatus())) {
      statusChanged.accept(uid);
    }
  }

  /**
   * {@code pod} with {@code status}: a new Pod that shares the metadata and spec objects of the pod
   * the worker syncs (nothing changes those after admission; an update brings a new pod). A deep
   * copy here, as before, made a fifth copy of every pod's spec and a deep copy per status update.
   */
  private static Pod withStatus(Pod pod, PodStatus status) {
    Pod shown =
        new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), status);
    pod.getAdditionalProperties().forEach(shown::setAdditionalProperty);
    return shown;
  }

  /** Where pull times go, so the start SLI can leave them out. */
  public PodStartLatency startLatency() {
    return startLatency;
  }

  /** Records the status computed from {@code in}; keeps condition transition times. */
  public PodStatus update(PodStatuses.Input in) {
    String uid = in.pod().getMetadata().getUid();
    Optional<PodStatus> previous = Optional.ofNullable(pods.get(uid)).map(Pod::getStatus);
    Instant now = clock.instant();
    PodStatus status = PodStatuses.compute(in, previous, now);
    put(uid, withStatus(in.pod(), status));
    seen.record(in.observed());
    startLatency.statusComputed(uid, status, now);
    return status;
  }

  /**
   * Whether a PLEG event shows the pod's worker something its last sync did not see; when not, the
   * sync it would trigger is skipped (see {@link SeenRuntimeStates}).
   */
  public boolean isNews(PodLifecycleEvent event) {
    return seen.isNews(event);
  }

  /**
   * Records a pod the node refused at admission: phase Failed with the admission's reason and
   * {@code "Pod was rejected: <message>"}, as the kubelet's {@code rejectPod} writes it.
   */
  public void reject(Pod pod, Admission.Reject r) {
    PodStatus status =
        new PodStatusBuilder()
            .withPhase("Failed")
            .withReason(r.reason())
            .withMessage("Pod was rejected: " + r.message())
            .withStartTime(clock.instant().toString())
            .build();
    put(pod.getMetadata().getUid(), withStatus(pod, status));
  }

  /** The kubelet's message for a pod past its {@code activeDeadlineSeconds}. */
  static final String DEADLINE_MESSAGE =
      "Pod was active on the node longer than the specified deadline";

  /**
   * The kubelet's {@code pastActiveDeadline}: with {@code activeDeadlineSeconds} set and the pod
   * active for that long since its start time, the pod becomes Failed with reason {@code
   * DeadlineExceeded} (and is then killed, being terminal).
   *
   * @return true when the deadline has passed now
   */
  public boolean enforceActiveDeadline(Pod pod) {
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    Pod known = pods.get(pod.getMetadata().getUid());
    if (deadline == null || known == null || known.getStatus() == null) {
      return false;
    }
    PodStatus st = known.getStatus();
    if (PodStatuses.isTerminal(st.getPhase()) || st.getStartTime() == null) {
      return false;
    }
    java.time.Instant start = java.time.Instant.parse(st.getStartTime());
    if (java.time.Duration.between(start, clock.instant()).getSeconds() < deadline) {
      return false;
    }
    PodStatus failed =
        new PodStatusBuilder(st)
            .withPhase("Failed")
            .withReason("DeadlineExceeded")
            .withMessage(DEADLINE_MESSAGE)
            .build();
    put(pod.getMetadata().getUid(), withStatus(known, failed));
    return true;
  }

  /**
   * The eviction manager's verdict on a pod over a local-storage limit: phase Failed, reason {@code
   * Evicted}, the message; the terminal phase then makes its worker kill it at once (the kubelet's
   * {@code immediateEvictionGracePeriodSeconds}, raised to its minimum grace period of 2 s).
   *
   * <p>No {@code DisruptionTarget} condition: the kubelet adds it only to pods evicted for node
   * pressure (memory, nodefs, pid), and its local-storage evictions (emptyDir {@code sizeLimit},
   * ephemeral-storage limits) pass none. berth has no pressure evictions yet.
   *
   * @return false when the pod is unknown or already terminal
   */
  public boolean evict(Pod pod, String message) {
    String uid = pod.getMetadata().getUid();
    Pod known = pods.get(uid);
    if (known == null
        || known.getStatus() == null
        || PodStatuses.isTerminal(known.getStatus().getPhase())) {
      return false;
    }
    killGrace.put(uid, RuntimePodSyncer.MIN_GRACE);
    PodStatus evicted =
        new PodStatusBuilder(known.getStatus())
            .withPhase("Failed")
            .withReason("Evicted")
            .withMessage(message)
            .build();
    put(uid, withStatus(known, evicted));
    return true;
  }

  /**
   * Fails a pod from outside its worker, as the kubelet's {@code killPodFunc} with a status
   * function and a grace period override (node shutdown): phase Failed, {@code reason}, {@code
   * message} and the condition {@code DisruptionTarget=True}, reason {@code disruptionReason}, the
   * same message, now (the kubelet's {@code TerminationByKubelet}); its worker then kills it within
   * {@code grace} (see {@link #killGrace}). Later statuses keep the condition (see {@link
   * PodStatuses#DISRUPTION_TARGET}), so {@code GET /pods} shows what the API server is sent.
   *
   * @return false when the pod is unknown or already terminal
   */
  public boolean fail(
      Pod pod, String reason, String message, String disruptionReason, java.time.Duration grace) {
    String uid = pod.getMetadata().getUid();
    Pod known = pods.get(uid);
    if (known == null
        || known.getStatus() == null
        || PodStatuses.isTerminal(known.getStatus().getPhase())) {
      return false;
    }
    killGrace.put(uid, grace);
    List<PodCondition> conditions = new java.util.ArrayList<>();
    known.getStatus().getConditions().stream()
        .filter(c -> !PodStatuses.DISRUPTION_TARGET.equals(c.getType()))
        .forEach(conditions::add);
    conditions.add(
        new PodConditionBuilder()
            .withType(PodStatuses.DISRUPTION_TARGET)
            .withStatus("True")
            .withReason(disruptionReason)
            .withMessage(message)
            .withLastTransitionTime(PodStatuses.time(clock.instant()))
            .build());
    PodStatus failed =
        new PodStatusBuilder(known.getStatus())
            .withPhase("Failed")
            .withReason(reason)
            .withMessage(message)
            .withConditions(conditions)
            .build();
    put(uid, withStatus(known, failed));
    return true;
  }

  /** The grace period a {@link #fail} asked the worker to kill the pod with, if any. */
  public Optional<java.time.Duration> killGrace(String uid) {
    return Optional.ofNullable(killGrace.get(uid));
  }

  /** Time left until the pod's active deadline (at least 100 ms), if it has one still ahead. */
  public Optional<java.time.Duration> untilActiveDeadline(Pod pod) {
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    Pod known = pods.get(pod.getMetadata().getUid());
    if (deadline == null || known == null || known.getStatus() == null) {
      return Optional.empty();
    }
    PodStatus st = known.getStatus();
    if (PodStatuses.isTerminal(st.getPhase()) || st.getStartTime() == null) {
      return Optional.empty();
    }
    java.time.Duration left =
        java.time.Duration.between(
            clock.instant(), java.time.Instant.parse(st.getStartTime()).plusSeconds(deadline));
    java.time.Duration min = java.time.Duration.ofMillis(100);
    return Optional.of(left.compareTo(min) < 0 ? min : left);
  }

  /** The pod with its last status, if berth has one. */
  public Optional<Pod> get(String uid) {
    return Optional.ofNullable(pods.get(uid));
  }

  /** Forgets a terminated pod. */
  public void remove(String uid) {
    if (pods.remove(uid) != null) {
      statusChanged.accept(uid);
    }
    seen.forget(uid);
    killGrace.remove(uid);
    startLatency.forget(uid);
  }

  /** Every pod with status, sorted by namespace and name. */
  public PodList podList() {
    return new PodListBuilder()
        .withApiVersion("v1")
        .withKind("PodList")
        .withMetadata(new ListMetaBuilder().build())
        .withItems(
            pods.values().stream()
                .sorted(
                    Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
                        .thenComparing(p -> p.getMetadata().getName()))
                .toList())
        .build();
  }

  /** {@code GET /pods}. */
  public HttpReply podsReply() {
    return jsonReply(podList());
  }

  /** {@code GET /pods/rejected}: {@code {"items":[{source, location, reason, time}]}}. */
  public HttpReply rejectedReply() {
    List<Map<String, String>> items =
        rejected.get().stream()
            .map(
                r -> {
                  Map<String, String> m = new LinkedHashMap<>();
                  m.put("source", r.source().annotationValue());
                  m.put("location", r.location());
                  m.put("reason", r.reason());
                  m.put("time", r.time().toString());
                  return m;
                })
            .toList();
    return jsonReply(Map.of("items", items));
  }

  private HttpReply jsonReply(Object body) {
    try {
      return HttpReply.ok(HttpReply.JSON, json.writeValueAsString(body) + "\n");
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the pod view: " + e.getMessage(), e);
    }
  }
}
