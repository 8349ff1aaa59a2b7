package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.IpFamily;
import java.util.List;

/**
 * The conntrack table of one network namespace: list one family's entries, delete one entry. The
 * real one is {@link NetlinkConntrackTable}; tests use an in-memory fake.
 */
public interface ConntrackTable extends AutoCloseable {
  /** Every entry of {@code family} at the time of the call. */
  List<ConntrackEntry> dump(IpFamily family) throws ConntrackException;

  /**
   * Deletes exactly {@code entry} (same tuple, zone and id).
   *
   * @return false if it no longer exists (expired or already deleted): not an error
   */
  boolean delete(ConntrackEntry entry) throws ConntrackException;

  /** Which namespace, for logs and errors. */
  String describe();

  @Override
  void close();
}
