package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.ServicePortName;
import java.util.Objects;

/**
 * Conntrack entries to delete after a model change, and why.
 *
 * @param service the service port whose change made the flows stale
 * @param detail e.g. the removed endpoint, for logs
 */
public record StaleFlow(ServicePortName service, Reason reason, String detail, FlowFilter filter)
    implements Comparable<StaleFlow> {

  /** Why flows became stale. */
  public enum Reason {
    /** A serving endpoint left a UDP service port: its flows would keep going to it. */
    ENDPOINT_REMOVED,
    /**
     * A UDP service port went from no serving endpoint to some: flows created while it had none
     * (not DNATed, or rejected) would never reach the new endpoints.
     */
    SERVICE_NEWLY_ACTIVE,
    /** A UDP service port was removed: its cluster IP may be reused by another service. */
    SERVICE_REMOVED
  }

  public StaleFlow {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(filter, "filter");
  }

  @Override
  public int compareTo(StaleFlow o) {
    int c = filter.compareTo(o.filter);
    if (c == 0) {
      c = service.compareTo(o.service);
    }
    return c != 0 ? c : reason.compareTo(o.reason);
  }

  @Override
  public String toString() {
    return service + " " + reason + (detail.isEmpty() ? "" : " (" + detail + ")") + ": " + filter;
  }
}
