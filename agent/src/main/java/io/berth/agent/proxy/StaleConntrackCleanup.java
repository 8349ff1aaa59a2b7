package io.berth.agent.proxy;

import io.berth.netfilter.SyncMode;
import io.berth.netfilter.conntrack.ConntrackCleaner;
import io.berth.netfilter.conntrack.ConntrackException;
import io.berth.netfilter.conntrack.StaleFlow;
import io.berth.netfilter.conntrack.StaleUdpFlows;
import io.berth.netfilter.model.ServiceModel;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes stale UDP conntrack entries after each successful sync (kube-proxy does it at the end of
 * {@code syncProxyRules}): after every sync the flows the model change made stale ({@link
 * StaleUdpFlows#between}); after a full sync also everything the current model says is stale
 * ({@link ConntrackCleaner#reconcile}), which repairs what a restart or a failed cleanup left. A
 * failure is logged with the conntrack error and does not fail the sync: the rules are in force,
 * only old UDP flows keep their old path until they idle out or the next full sync.
 */
final class StaleConntrackCleanup implements Proxier.AppliedListener {
  private static final Logger log = LoggerFactory.getLogger(StaleConntrackCleanup.class);
  private final ConntrackCleaner cleaner;
  private boolean first = true; // sync thread only

  StaleConntrackCleanup(ConntrackCleaner cleaner) {
    this.cleaner = cleaner;
  }

  @Override
  public void applied(ServiceModel previous, ServiceModel current, SyncMode mode) {
    try {
      // the change's stale flows after every sync, full or not: reconcile() alone would keep
      // the flows of a service port whose last endpoint just left (it only looks at ports that
      // still have serving endpoints)
      // Not after berth's first sync: against the empty "previous" every Service would look newly
      // active and all its UDP flows would go, breaking every client at each restart; reconcile()
      // keeps the flows that reach a serving endpoint (kube-proxy >= 1.31 does the same).
      List<StaleFlow> stale = first ? List.of() : StaleUdpFlows.between(previous, current);
      first = false;
      int deleted = stale.isEmpty() ? 0 : cleaner.deleteStale(stale);
      if (mode == SyncMode.FULL) {
        deleted += cleaner.reconcile(current);
      }
      if (deleted > 0) {
        log.info("deleted {} stale UDP conntrack entries after a {} sync", deleted, mode);
      }
    } catch (ConntrackException e) {
      log.warn("stale UDP conntrack cleanup after a {} sync failed: {}", mode, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "stale UDP conntrack cleanup (" + cleaner.describe() + ")";
  }
}
