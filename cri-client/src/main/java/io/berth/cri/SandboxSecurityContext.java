package io.berth.cri;

import java.util.List;

/**
 * Linux security settings of a sandbox. {@code runAsUser}/{@code runAsGroup} are {@code null} when
 * unset; {@code seccomp} is {@code null} when unset (the runtime's choice).
 */
public record SandboxSecurityContext(
    NamespaceOptions namespaceOptions,
    Long runAsUser,
    Long runAsGroup,
    boolean readonlyRootfs,
    List<Long> supplementalGroups,
    boolean privileged,
    SecurityProfile seccomp) {
  public SandboxSecurityContext {
    namespaceOptions = namespaceOptions == null ? NamespaceOptions.podDefaults() : namespaceOptions;
    supplementalGroups = Copies.list(supplementalGroups);
  }

  /** Only namespace options; everything else unset. */
  public static SandboxSecurityContext of(NamespaceOptions namespaceOptions) {
    return new SandboxSecurityContext(namespaceOptions, null, null, false, List.of(), false, null);
  }
}
