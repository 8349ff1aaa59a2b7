package io.berth.cri;

import java.util.List;

/**
 * Linux security settings of a container. {@code runAsUser}/{@code runAsGroup} are {@code null}
 * when unset; {@code seccomp}/{@code apparmor} are {@code null} when unset.
 */
public record ContainerSecurityContext(
    Capabilities capabilities,
    boolean privileged,
    NamespaceOptions namespaceOptions,
    Long runAsUser,
    Long runAsGroup,
    String runAsUsername,
    boolean readonlyRootfs,
    List<Long> supplementalGroups,
    boolean noNewPrivs,
    List<String> maskedPaths,
    List<String> readonlyPaths,
    SecurityProfile seccomp,
    SecurityProfile apparmor) {
  public ContainerSecurityContext {
    capabilities = capabilities == null ? new Capabilities(List.of(), List.of()) : capabilities;
    namespaceOptions = namespaceOptions == null ? NamespaceOptions.podDefaults() : namespaceOptions;
    runAsUsername = Copies.str(runAsUsername);
    supplementalGroups = Copies.list(supplementalGroups);
    maskedPaths = Copies.list(maskedPaths);
    readonlyPaths = Copies.list(readonlyPaths);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This context in other namespaces (an ephemeral container joining its target's PIDs). */
  public ContainerSecurityContext withNamespaceOptions(NamespaceOptions options) {
    return new ContainerSecurityContext(
        capabilities,
        privileged,
        options,
        runAsUser,
        runAsGroup,
        runAsUsername,
        readonlyRootfs,
        supplementalGroups,
        noNewPrivs,
        maskedPaths,
        readonlyPaths,
        seccomp,
        apparmor);
  }

  /** Builder for the common fields; unset fields keep CRI defaults. */
  public static final class Builder {
    private Capabilities capabilities;
    private boolean privileged;
    private NamespaceOptions namespaceOptions;
    private Long runAsUser;
    private Long runAsGroup;
    private String runAsUsername = "";
    private boolean readonlyRootfs;
    private List<Long> supplementalGroups = List.of();
    private boolean noNewPrivs;
    private List<String> maskedPaths = List.of();
    private List<String> readonlyPaths = List.of();
    private SecurityProfile seccomp;
    private SecurityProfile apparmor;

    private Builder() {}

    public Builder capabilities(List<String> add, List<String> drop) {
      this.capabilities = new Capabilities(add, drop);
      return this;
    }

    public Builder privileged(boolean value) {
      this.privileged = value;
      return this;
    }

    public Builder namespaceOptions(NamespaceOptions value) {
      this.namespaceOptions = value;
      return this;
    }

    public Builder runAsUser(long uid) {
      this.runAsUser = uid;
      return this;
    }

    public Builder runAsGroup(long gid) {
      this.runAsGroup = gid;
      return this;
    }

    public Builder runAsUsername(String value) {
      this.runAsUsername = value;
      return this;
    }

    public Builder readonlyRootfs(boolean value) {
      this.readonlyRootfs = value;
      return this;
    }

    public Builder supplementalGroups(List<Long> value) {
      this.supplementalGroups = value;
      return this;
    }

    public Builder noNewPrivs(boolean value) {
      this.noNewPrivs = value;
      return this;
    }

    public Builder maskedPaths(List<String> value) {
      this.maskedPaths = value;
      return this;
    }

    public Builder readonlyPaths(List<String> value) {
      this.readonlyPaths = value;
      return this;
    }

    public Builder seccomp(SecurityProfile value) {
      this.seccomp = value;
      return this;
    }

    public Builder apparmor(SecurityProfile value) {
      this.apparmor = value;
      return this;
    }

    public ContainerSecurityContext build() {
      return new ContainerSecurityContext(
          capabilities,
          privileged,
          namespaceOptions,
          runAsUser,
          runAsGroup,
          runAsUsername,
          readonlyRootfs,
          supplementalGroups,
          noNewPrivs,
          maskedPaths,
          readonlyPaths,
          seccomp,
          apparmor);
    }
  }
}
