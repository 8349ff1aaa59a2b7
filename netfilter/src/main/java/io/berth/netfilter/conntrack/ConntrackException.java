package io.berth.netfilter.conntrack;

import io.berth.netfilter.NetfilterException;

/**
 * A ctnetlink operation failed. Says which operation (dump, delete of which entry), for which
 * filter, in which namespace, and the kernel's errno (0 when the failure was not an errno, e.g. a
 * malformed reply).
 */
public final class ConntrackException extends NetfilterException {
  private final String operation;
  private final String filter;
  private final int errno;

  public ConntrackException(String operation, String filter, int errno, String detail) {
    super(message(operation, filter, errno, detail));
    this.operation = operation;
    this.filter = filter;
    this.errno = errno;
  }

  private static String message(String operation, String filter, int errno, String detail) {
    StringBuilder sb = new StringBuilder("conntrack ").append(operation);
    if (!filter.isEmpty()) {
      sb.append(" [filter ").append(filter).append(']');
    }
    sb.append(" failed");
    if (errno != 0) {
      sb.append(": errno ").append(errno).append(" (").append(Errno.name(errno)).append(')');
    }
    if (!detail.isEmpty()) {
      sb.append(": ").append(detail);
    }
    return sb.toString();
  }

  /** A copy naming the filter that selected the entry being operated on. */
  ConntrackException withFilter(String filterDescription, String detail) {
    ConntrackException e = new ConntrackException(operation, filterDescription, errno, detail);
    e.initCause(this);
    return e;
  }

  public String operation() {
    return operation;
  }

  /** The filter that was being applied, empty when none (e.g. a plain dump). */
  public String filter() {
    return filter;
  }

  /** The positive errno the kernel (or libc) reported, 0 if none. */
  public int errno() {
    return errno;
  }
}
