package io.berth.cri;

import java.util.Map;

/**
 * Linux part of a sandbox config: the pod cgroup parent (cgroupfs syntax, e.g. {@code
 * /kubepods/besteffort/pod<uid>}), security context and sysctls.
 */
public record LinuxSandboxConfig(
    String cgroupParent, SandboxSecurityContext securityContext, Map<String, String> sysctls) {
  public LinuxSandboxConfig {
    cgroupParent = Copies.str(cgroupParent);
    securityContext =
        securityContext == null
            ? SandboxSecurityContext.of(NamespaceOptions.podDefaults())
            : securityContext;
    sysctls = Copies.map(sysctls);
  }
}
