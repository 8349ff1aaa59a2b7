package io.berth.agent.status;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.berth.agent.config.ApiServerSource;
import io.berth.agent.config.PodConfig;
import io.berth.agent.config.StaticPodDefaults;
import io.berth.agent.kubeapi.ApiException;
import io.berth.agent.kubeapi.KubeApiClient;
import io.berth.agent.kubeapi.ResourcePath;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirror pods: each static pod (from files or a URL) is published in the API server under its own
 * name with the annotation {@code kubernetes.io/config.mirror} = its config hash and the Node as
 * owner, and its status is written to the mirror; a mirror whose hash no longer matches, that was
 * deleted, or whose static pod is gone is deleted (and recreated when still wanted), as the
 * kubelet's mirror client and status manager do.
 *
 * <p>Thread safety: {@link #syncOnce()} is synchronized; run it from one timer.
 */
public final class MirrorPods {
  private static final Logger log = LoggerFactory.getLogger(MirrorPods.class);

  private final KubeApiClient client;
  private final String nodeName;
  private final Supplier<String> nodeUid;
  private final Supplier<List<Pod>> staticPods;
  private final Supplier<List<Pod>> apiPods;
  private final Function<String, Optional<Pod>> localStatus;
  private final PodStatusSender statuses;

  /**
   * @param staticPods the static pods berth runs (PodConfig's merged state, non-API sources)
   * @param apiPods the API's pods bound to this node, mirrors included
   * @param localStatus berth's pod with status by static pod uid (PodStatusView)
   */
  public MirrorPods(
      KubeApiClient client,
      String nodeName,
      Supplier<String> nodeUid,
      Supplier<List<Pod>> staticPods,
      Supplier<List<Pod>> apiPods,
      Function<String, Optional<Pod>> localStatus) {
    this.client = client;
    this.nodeName = nodeName;
    this.nodeUid = nodeUid;
    this.staticPods = staticPods;
    this.apiPods = apiPods;
    this.localStatus = localStatus;
    this.statuses = new PodStatusSender(client);
  }

  public synchronized void syncOnce() throws InterruptedException {
    if (nodeUid.get() == null) {
      return; // the owner reference needs the registered Node
    }
    Map<String, Pod> mirrors = new HashMap<>();
    apiPods.get().stream()
        .filter(ApiServerSource::isMirror)
        .forEach(m -> mirrors.put(PodConfig.fullName(m), m));
    Map<String, Pod> wanted = new HashMap<>();
    staticPods.get().stream()
        .filter(p -> !"api".equals(annotation(p, PodConfig.CONFIG_SOURCE_ANNOTATION)))
        .forEach(p -> wanted.put(PodConfig.fullName(p), p));
    for (Map.Entry<String, Pod> e : mirrors.entrySet()) {
      Pod mirror = e.getValue();
      Pod source = wanted.get(e.getKey());
      String hash =
          source == null ? null : annotation(source, StaticPodDefaults.CONFIG_HASH_ANNOTATION);
      if (source == null
          || mirror.getMetadata().getDeletionTimestamp() != null
          || !annotation(mirror, PodConfig.CONFIG_MIRROR_ANNOTATION).equals(hash)) {
        delete(mirror);
      }
    }
    for (Map.Entry<String, Pod> e : wanted.entrySet()) {
      Pod source = e.getValue();
      Pod mirror = mirrors.get(e.getKey());
      String hash = annotation(source, StaticPodDefaults.CONFIG_HASH_ANNOTATION);
      if (mirror == null || mirror.getMetadata().getDeletionTimestamp() != null) {
        if (mirror == null) {
          create(source, hash);
        }
      } else if (annotation(mirror, PodConfig.CONFIG_MIRROR_ANNOTATION).equals(hash)) {
        sendStatus(source, mirror);
      }
    }
    statuses.retainOnly(mirrors.values().stream().map(m -> m.getMetadata().getUid()).toList());
  }

  private void create(Pod source, String hash) throws InterruptedException {
    ObjectNode pod = client.json().createObjectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    meta.put("name", source.getMetadata().getName());
    meta.put("namespace", source.getMetadata().getNamespace());
    if (source.getMetadata().getLabels() != null) {
      meta.set("labels", client.json().valueToTree(source.getMetadata().getLabels()));
    }
    ObjectNode annotations = meta.putObject("annotations");
    source
        .getMetadata()
        .getAnnotations()
        .forEach(
            (k, v) -> {
              if (!k.equals(PodConfig.CONFIG_SEEN_ANNOTATION)) {
                annotations.put(k, v);
              }
            });
    annotations.put(PodConfig.CONFIG_MIRROR_ANNOTATION, hash);
    ObjectNode owner = meta.putArray("ownerReferences").addObject();
    owner.put("apiVersion", "v1");
    owner.put("kind", "Node");
    owner.put("name", nodeName);
    owner.put("uid", nodeUid.get());
    owner.put("controller", true);
    pod.set("spec", client.json().valueToTree(source.getSpec()));
    ResourcePath pods = ResourcePath.PODS.inNamespace(source.getMetadata().getNamespace());
    try {
      client.create(pods.collection(), pod);
      log.info("mirror pod {} created", PodConfig.fullName(source));
    } catch (ApiException e) {
      if (!e.isAlreadyExists()) {
        log.warn(
            "mirror pod {} not created, retrying: {}", PodConfig.fullName(source), e.getMessage());
      }
    }
  }

  private void delete(Pod mirror) throws InterruptedException {
    String path =
        ResourcePath.PODS
            .inNamespace(mirror.getMetadata().getNamespace())
            .item(mirror.getMetadata().getName());
    try {
      client.delete(path, 0L, mirror.getMetadata().getUid());
      log.info("mirror pod {} deleted", path);
    } catch (ApiException e) {
      if (!e.isNotFound() && !e.isConflict()) {
        log.warn("mirror pod {} not deleted, retrying: {}", path, e.getMessage());
      }
    }
  }

  private void sendStatus(Pod source, Pod mirror) throws InterruptedException {
    Optional<Pod> local = localStatus.apply(source.getMetadata().getUid());
    if (local.isEmpty() || local.get().getStatus() == null) {
      return;
    }
    statuses.send(mirror, local.get().getStatus());
  }

  private static String annotation(Pod pod, String key) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a == null ? "" : a.getOrDefault(key, "");
  }
}
