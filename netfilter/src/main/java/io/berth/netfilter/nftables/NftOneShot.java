package io.berth.netfilter.nftables;

import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.internal.LibNftables;

/**
 * Runs nft commands once through a short-lived context created on the calling thread (so in the
 * calling thread's network namespace). For probes and detection; syncs use {@link NftablesBackend}.
 */
public final class NftOneShot {
  private NftOneShot() {}

  /** Runs {@code commands} as one transaction and returns libnftables' output. */
  public static String run(LibNftables lib, String commands, String operation)
      throws TransactionFailedException {
    Transaction.Builder b = new Transaction.Builder();
    commands.lines().forEach(b::line);
    try (NftContext ctx = new NftContext(lib)) {
      return ctx.run(b.build(), operation);
    }
  }
}
