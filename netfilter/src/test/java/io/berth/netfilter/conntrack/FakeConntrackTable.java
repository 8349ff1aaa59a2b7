package io.berth.netfilter.conntrack;

import io.berth.netfilter.model.IpFamily;
import java.util.ArrayList;
import java.util.List;

/** An in-memory conntrack table; can be told to fail deletes with an errno. */
final class FakeConntrackTable implements ConntrackTable {
  final List<ConntrackEntry> entries = new ArrayList<>();
  final List<ConntrackEntry> deleted = new ArrayList<>();
  int dumps;
  int failDeletesWithErrno;
  boolean closed;

  @Override
  public List<ConntrackEntry> dump(IpFamily family) {
    dumps++;
    return entries.stream().filter(e -> e.family() == family).toList();
  }

  @Override
  public boolean delete(ConntrackEntry entry) throws ConntrackException {
    if (failDeletesWithErrno != 0) {
      throw new ConntrackException("delete " + entry, "", failDeletesWithErrno, "");
    }
    if (!entries.remove(entry)) {
      return false;
    }
    deleted.add(entry);
    return true;
  }

  @Override
  public String describe() {
    return "fake conntrack table";
  }

  @Override
  public void close() {
    closed = true;
  }
}
