package io.berth.netfilter.nftables;

/**
 * The difference between two rulesets cannot be applied incrementally; the back end falls back to a
 * full sync (which is what kube-proxy does after a failed partial sync, too).
 */
public final class FullSyncRequiredException extends IllegalStateException {
  public FullSyncRequiredException(String reason) {
    super(reason);
  }
}
