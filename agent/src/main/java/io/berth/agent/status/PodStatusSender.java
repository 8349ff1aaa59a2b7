package io.berth.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.ResourcePath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a pod status to an API pod's {@code /status} only when it differs from what the API server
 * holds: a JSON merge patch of the changed fields ({@link StatusPatch}) against the status last
 * sent (or, before the first send and after a failure, the API pod's status as the pod informer has
 * it), with a uid precondition so a pod deleted and recreated under the same name never gets the
 * old pod's status. A failure leaves it unsent and is reported to the caller, which retries (warned
 * once per pod until it succeeds). Not thread-safe: its owner serializes calls.
 */
final class PodStatusSender {
  private static final Logger log = LoggerFactory.getLogger(PodStatusSender.class);

  /** What one {@link #send} did. */
  enum Outcome {
    /** Nothing to send: the API server has this status. */
    UNCHANGED,
    /** Patched. */
    SENT,
    /** The pod is gone or was replaced (404, 409 on the uid precondition): nothing to retry. */
    GONE,
    /** Not sent; to be retried. */
    FAILED
  }

  private final KubeApiClient client;
  private final Map<String, JsonNode> lastSent = new HashMap<>();
  private final java.util.Set<String> failing = new java.util.HashSet<>();
  private long patches;
  private long patchBytes;

  PodStatusSender(KubeApiClient client) {
    this.client = client;
  }

  /** Forgets pods that are no longer in the API. */
  void retainOnly(Collection<String> apiUids) {
    lastSent.keySet().retainAll(apiUids);
    failing.retainAll(apiUids);
  }

  /** Sends {@code status} to {@code target} if it changed. */
  Outcome send(Pod target, PodStatus status) throws InterruptedException {
    String uid = target.getMetadata().getUid();
    JsonNode desired = client.json().valueToTree(status);
    JsonNode remote = client.json().valueToTree(target.getStatus());
    JsonNode sent = lastSent.get(uid);
    JsonNode base = sent == null ? remote : sent;
    if (desired.equals(base) || desired.equals(remote)) {
      lastSent.put(uid, desired);
      return Outcome.UNCHANGED;
    }
    ObjectNode patch = client.json().createObjectNode();
    patch.putObject("metadata").put("uid", uid);
    patch.set("status", StatusPatch.diff(base, desired, sent != null));
    String path =
        ResourcePath.PODS
            .inNamespace(target.getMetadata().getNamespace())
            .status(target.getMetadata().getName());
    try {
      client.patch(path, KubeApiClient.PatchType.MERGE, patch);
      lastSent.put(uid, desired);
      patches++;
      patchBytes += patch.toString().length();
      if (failing.remove(uid)) {
        log.info("status of {} sent after earlier failures", path);
      }
      return Outcome.SENT;
    } catch (ApiException e) {
      // what the server holds now is unknown: the next attempt diffs against the API's view
      lastSent.remove(uid);
      if (e.isNotFound() || isUidPrecondition(e)) {
        log.debug("pod {} is gone or was replaced; its status is not sent", path);
        return Outcome.GONE;
      }
      if (failing.add(uid)) {
        log.warn("sending the status of {} failed, retrying: {}", path, e.getMessage());
      } else {
        log.debug("sending the status of {} failed again: {}", path, e.getMessage());
      }
      return Outcome.FAILED;
    }
  }

  /** A 409 from the uid precondition (the pod was replaced), not an injected or transient one. */
  private static boolean isUidPrecondition(ApiException e) {
    return e.isConflict() && String.valueOf(e.getMessage()).contains("Precondition failed");
  }

  long patches() {
    return patches;
  }

  /** Bytes of the patch bodies sent so far. */
  long patchBytes() {
    return patchBytes;
  }
}
