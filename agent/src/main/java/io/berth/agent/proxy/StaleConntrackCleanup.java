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
 * {@code syncProxyRules}): after an incremental sync the flows the model change made stale ({@link
 * StaleUdpFlows#between}); after a full sync everything the current model says is stale ({@link
 * ConntrackCleaner#reconcile}), which also repairs what a restart or a failed cleanup left. A
 * failure is logged with the conntrack error and does not fail the sync: the rules are in force,
 * only old UDP flows keep their old path until they idle out or the next full sync.
 */
final class StaleConntrackCleanup implements Proxier.AppliedListener {
  private static final Logger log = LoggerFactory.getLogger(StaleConntrackCleanup.class);
  private final ConntrackCleaner cleaner;

  StaleConntrackCleanup(ConntrackCleaner cleaner) {
    this.cleaner = cleaner;
  }

  @Override
  public void applied(ServiceModel previous, ServiceModel current, SyncMode mode) {
    try {
      int deleted;
      if (mode == SyncMode.FULL) {
        deleted = cleaner.reconcile(current);
      } else {
        List<StaleFlow> stale = StaleUdpFlows.between(previous, current);
        deleted = stale.isEmpty() ? 0 : cleaner.deleteStale(stale);
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
