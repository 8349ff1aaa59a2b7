package io.berth.netfilter.nftables;

import io.berth.netfilter.NetfilterBackend;
import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.SyncMode;
import io.berth.netfilter.SyncResult;
import io.berth.netfilter.TransactionFailedException;
import io.berth.netfilter.internal.LibNftables;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.internal.OwnerThread;
import io.berth.netfilter.model.ProxyConfig;
import io.berth.netfilter.model.ServiceModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nftables back end: berth's tables {@code ip berth} and {@code ip6 berth}, programmed through
 * libnftables in-process, one atomic transaction per sync.
 *
 * <p>Threading: one dedicated platform thread owns the libnftables context. When a namespace is
 * given, that thread enters it with {@code setns(2)} before creating the context, so every
 * transaction lands there; in production (the node's own namespace) no setns happens. Public
 * methods may be called from any thread; they run on the owner thread one at a time.
 */
public final class NftablesBackend implements NetfilterBackend {
  private static final Logger log = LoggerFactory.getLogger(NftablesBackend.class);
  private final OwnerThread thread;
  private final Optional<Path> netns;
  private final LongSupplier nanoTicker;
  private final NftContext context;
  private NftState applied; // owner thread only

  /**
   * @param netns namespace to program (e.g. {@code /run/netns/x}); empty for the caller's own
   * @param nanoTicker monotonic nanoseconds (System::nanoTime in production, fake in tests)
   */
  public NftablesBackend(
      LibNftables lib, NetworkNamespace namespaces, Optional<Path> netns, LongSupplier nanoTicker)
      throws NetfilterException {
    this.netns = netns;
    this.nanoTicker = nanoTicker;
    this.thread = new OwnerThread("berth-nftables" + netns.map(p -> "@" + p).orElse(""));
    try {
      this.context =
          call(
              "create nftables context",
              () -> {
                netns.ifPresent(namespaces::enter);
                return new NftContext(lib);
              });
    } catch (NetfilterException | RuntimeException e) {
      thread.abort();
      throw e;
    }
  }

  @Override
  public SyncResult sync(ServiceModel desired, SyncMode mode) throws NetfilterException {
    return call(
        "sync",
        () -> {
          long t0 = nanoTicker.getAsLong();
          Plan plan = plan(desired, mode);
          long t1 = nanoTicker.getAsLong();
          if (!plan.tx().isEmpty()) {
            try {
              context.run(
                  plan.tx(), plan.mode().name().toLowerCase(java.util.Locale.ROOT) + " sync");
            } catch (TransactionFailedException e) {
              applied = null; // as kube-proxy: after a failure the next sync is a full one
              throw e;
            }
          }
          long t2 = nanoTicker.getAsLong();
          plan.commit().run();
          return new SyncResult(
              plan.mode(),
              plan.tx().lineCount(),
              Duration.ofNanos(t1 - t0),
              Duration.ofNanos(t2 - t1));
        });
  }

  /** A transaction to run and what to remember once it succeeded. */
  private record Plan(SyncMode mode, Transaction tx, Runnable commit) {}

  /** Owner thread only. */
  private Plan plan(ServiceModel desired, SyncMode mode) {
    if (mode == SyncMode.INCREMENTAL && applied != null) {
      try {
        NftState.Change change = applied.diff(desired);
        return new Plan(SyncMode.INCREMENTAL, change.transaction(), change.commit());
      } catch (FullSyncRequiredException e) {
        log.info("incremental sync not possible ({}); doing a full sync", e.getMessage());
      }
    }
    NftState state = NftState.build(desired, NftRenderer.DEFAULT_PICK_CHAINS);
    return new Plan(SyncMode.FULL, NftScript.full(state.tables()), () -> applied = state);
  }

  /**
   * Applies a hand-made transaction as is, bypassing the renderer (tests inject faults this way;
   * tools may use it for one-off repairs). Forgets the applied state, so the next sync is full.
   */
  public void apply(Transaction tx) throws NetfilterException {
    call(
        "apply",
        () -> {
          applied = null;
          context.run(tx, "transaction");
          return null;
        });
  }

  /** Runs a read-only command such as {@code list table ip berth} and returns its output. */
  public String list(String command) throws NetfilterException {
    if (!command.startsWith("list ")) {
      throw new IllegalArgumentException("only list commands: " + command);
    }
    return call(
        "'" + command + "'",
        () -> context.run(new Transaction.Builder().line(command).build(), command));
  }

  @Override
  public void cleanup() throws NetfilterException {
    call(
        "cleanup",
        () -> {
          context.run(NftScript.delete(NftRenderer.emptyTables(ProxyConfig.defaults())), "cleanup");
          applied = null;
          return null;
        });
  }

  @Override
  public String describe() {
    return "nftables via "
        + LibNftables.LIBRARY
        + " in-process, tables ip "
        + NftRenderer.TABLE
        + " and ip6 "
        + NftRenderer.TABLE
        + ", network namespace "
        + netns.map(Path::toString).orElse("of the agent");
  }

  @Override
  public void close() {
    thread.close(context::close);
  }

  private <T> T call(String what, Callable<T> task) throws NetfilterException {
    return thread.call(what, task);
  }
}
