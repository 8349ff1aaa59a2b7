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
 * Sends a pod status to an API pod's {@code /status} (JSON merge patch with a uid precondition)
 * only when it differs from what the API pod holds and from what was last sent to it; a failure
 * leaves it unsent so the next pass retries (warned once per pod until it succeeds). Not
 * thread-safe: its owner serializes calls.
 */
final class PodStatusSender {
  private static final Logger log = LoggerFactory.getLogger(PodStatusSender.class);

  private final KubeApiClient client;
  private final Map<String, JsonNode> lastSent = new HashMap<>();
  private final java.util.Set<String> failing = new java.util.HashSet<>();
  private long patches;

  PodStatusSender(KubeApiClient client) {
    this.client = client;
  }

  /** Forgets pods that are no longer in the API. */
  void retainOnly(Collection<String> apiUids) {
    lastSent.keySet().retainAll(apiUids);
    failing.retainAll(apiUids);
  }

  /** Sends {@code status} to {@code target} if it changed. */
  void send(Pod target, PodStatus status) throws InterruptedException {
    String uid = target.getMetadata().getUid();
    JsonNode desired = client.json().valueToTree(status);
    if (desired.equals(lastSent.get(uid))
        || desired.equals(client.json().valueToTree(target.getStatus()))) {
      lastSent.put(uid, desired);
      return;
    }
    ObjectNode patch = client.json().createObjectNode();
    patch.putObject("metadata").put("uid", uid);
    patch.set("status", desired);
    String path =
        ResourcePath.PODS
            .inNamespace(target.getMetadata().getNamespace())
            .status(target.getMetadata().getName());
    try {
      client.patch(path, KubeApiClient.PatchType.MERGE, patch);
      lastSent.put(uid, desired);
      patches++;
      if (failing.remove(uid)) {
        log.info("status of {} sent after earlier failures", path);
      }
    } catch (ApiException e) {
      if (e.isNotFound() || e.isConflict()) {
        log.debug("pod {} is gone or was replaced; its status is not sent", path);
      } else if (failing.add(uid)) {
        log.warn("sending the status of {} failed, retrying every pass: {}", path, e.getMessage());
      } else {
        log.debug("sending the status of {} failed again: {}", path, e.getMessage());
      }
    }
  }

  long patches() {
    return patches;
  }
}
