package io.berth.cri;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Status of a pod sandbox.
 *
 * @param ip the primary pod IP; empty for host-network pods or before the network is set up
 * @param additionalIps further pod IPs (e.g. the IPv6 one of a dual-stack pod)
 * @param namespaces the namespace modes the sandbox runs with, {@code null} when not reported
 * @param info extra runtime information (JSON values) — only filled when asked for verbose
 */
public record PodSandboxStatus(
    String id,
    PodSandboxMetadata metadata,
    PodSandboxState state,
    Instant createdAt,
    String ip,
    List<String> additionalIps,
    NamespaceOptions namespaces,
    Map<String, String> labels,
    Map<String, String> annotations,
    String runtimeHandler,
    Map<String, String> info) {
  public PodSandboxStatus {
    id = Copies.str(id);
    ip = Copies.str(ip);
    additionalIps = Copies.list(additionalIps);
    labels = Copies.map(labels);
    annotations = Copies.map(annotations);
    runtimeHandler = Copies.str(runtimeHandler);
    info = Copies.map(info);
  }

  public boolean ready() {
    return state == PodSandboxState.READY;
  }
}
