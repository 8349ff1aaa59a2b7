package io.berth.netfilter;

import io.berth.netfilter.model.ServiceModel;

/**
 * A service-VIP data plane. The proxier calls {@link #sync} with the complete desired state; the
 * back end applies it as one atomic transaction: all of it, or (on error) nothing.
 *
 * <p>Thread safety: implementations are safe to call from any thread; calls are serialized.
 */
public interface NetfilterBackend extends AutoCloseable {

  /**
   * Makes the data plane match {@code desired}. {@link SyncMode#INCREMENTAL} applies only what
   * changed since the last successful sync (falling back to a full sync when there is none); {@link
   * SyncMode#FULL} rewrites berth's tables, repairing any drift.
   *
   * @throws TransactionFailedException when the kernel or libnftables rejects the transaction;
   *     nothing changed and the previous state stays in force
   */
  SyncResult sync(ServiceModel desired, SyncMode mode) throws NetfilterException;

  /** Removes berth's own tables and nothing else. */
  void cleanup() throws NetfilterException;

  /** A one-line description for logs: mechanism, tables, namespace. */
  String describe();

  /** Releases native resources; the back end is unusable afterwards. */
  @Override
  void close();
}
