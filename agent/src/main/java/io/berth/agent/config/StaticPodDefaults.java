package io.berth.agent.config;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The kubelet's {@code applyDefaults} for static pods ({@code pkg/kubelet/config/common.go}):
 *
 * <ul>
 *   <li>no UID in the manifest: UID = hex FNV-128a of (the decoded pod, {@code host:<node>}, {@code
 *       file:<path>}) for a file, or (the decoded pod, {@code url:<url>}) for the URL;
 *   <li>name gets {@code -<lower-cased node name>} appended; namespace defaults to {@code default};
 *   <li>{@code spec.nodeName} is the node; annotation {@code kubernetes.io/config.hash} = UID;
 *   <li>file pods tolerate every {@code NoExecute} taint; {@code status.phase} is Pending.
 * </ul>
 *
 * <p>Go hashes its own dump of the object, which Java cannot reproduce, so berth hashes the pod's
 * canonical JSON (sorted keys) instead: the same inputs, stable across restarts of berth, not equal
 * to the UID a kubelet would compute.
 */
public final class StaticPodDefaults {
  /** {@code kubernetes.io/config.hash}. */
  public static final String CONFIG_HASH_ANNOTATION = "kubernetes.io/config.hash";

  private final String nodeName;
  private final ManifestDecoder decoder;

  public StaticPodDefaults(String nodeName, ManifestDecoder decoder) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  /** Applies the defaults in place; {@code location} is the file path or the URL. */
  public void apply(Pod pod, ConfigSource source, String location) {
    ObjectMeta meta = pod.getMetadata();
    if (meta.getUid() == null || meta.getUid().isEmpty()) {
      Fnv128a hash = new Fnv128a().write(decoder.canonicalJson(pod));
      if (source == ConfigSource.FILE) {
        hash.write("host:" + nodeName).write("file:" + location);
      } else {
        hash.write("url:" + location);
      }
      meta.setUid(hash.hex());
    }
    meta.setName(meta.getName() + "-" + nodeName.toLowerCase(Locale.ROOT));
    if (meta.getNamespace() == null || meta.getNamespace().isEmpty()) {
      meta.setNamespace("default");
    }
    pod.getSpec().setNodeName(nodeName);
    Map<String, String> annotations =
        meta.getAnnotations() == null
            ? new LinkedHashMap<>()
            : new LinkedHashMap<>(meta.getAnnotations());
    annotations.put(CONFIG_HASH_ANNOTATION, meta.getUid());
    meta.setAnnotations(annotations);
    if (source == ConfigSource.FILE) {
      addOrUpdateToleration(
          pod, new TolerationBuilder().withOperator("Exists").withEffect("NoExecute").build());
    }
    if (pod.getStatus() == null) {
      pod.setStatus(new PodStatus());
    }
    pod.getStatus().setPhase("Pending");
  }

  /** {@code helper.AddOrUpdateTolerationInPod}: replace a matching toleration, else append. */
  static void addOrUpdateToleration(Pod pod, Toleration toleration) {
    List<Toleration> out = new ArrayList<>();
    boolean updated = false;
    List<Toleration> existing = pod.getSpec().getTolerations();
    for (Toleration t : existing == null ? List.<Toleration>of() : existing) {
      if (t != null && matches(t, toleration)) {
        if (Objects.equals(t, toleration)) {
          return;
        }
        out.add(toleration);
        updated = true;
      } else {
        out.add(t);
      }
    }
    if (!updated) {
      out.add(toleration);
    }
    pod.getSpec().setTolerations(out);
  }

  private static boolean matches(Toleration a, Toleration b) {
    return Objects.equals(nz(a.getKey()), nz(b.getKey()))
        && Objects.equals(nz(a.getEffect()), nz(b.getEffect()))
        && Objects.equals(nz(a.getOperator()), nz(b.getOperator()))
        && Objects.equals(nz(a.getValue()), nz(b.getValue()));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
