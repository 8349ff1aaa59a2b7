package io.berth.netfilter.conntrack;

import io.berth.netfilter.conntrack.CtNetlink.DoneMessage;
import io.berth.netfilter.conntrack.CtNetlink.EntryMessage;
import io.berth.netfilter.conntrack.CtNetlink.ErrorMessage;
import io.berth.netfilter.conntrack.CtNetlink.Message;
import io.berth.netfilter.conntrack.CtNetlink.OtherMessage;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import io.berth.netfilter.internal.NetworkNamespace;
import io.berth.netfilter.model.IpFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conntrack table of one network namespace over a raw {@code NETLINK_NETFILTER} socket (libc
 * {@code socket/send/recv} through jnr-ffi; no libnetfilter_conntrack, no {@code conntrack}
 * binary).
 *
 * <p>Threading and namespaces, as {@code NftablesBackend}: one dedicated platform thread owns the
 * socket. With a namespace path, that thread enters it with {@code setns(2)} before creating the
 * socket, so the socket talks to that namespace's conntrack table for its whole life. Public
 * methods may be called from any thread; they run on the owner thread one at a time. A receive
 * timeout ({@code SO_RCVTIMEO}) bounds every wait for the kernel.
 */
public final class NetlinkConntrackTable implements ConntrackTable {
  private static final Logger log = LoggerFactory.getLogger(NetlinkConntrackTable.class);
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int MSG_TRUNC = 0x20;
  private static final int RECEIVE_BUFFER = 1 << 17;

  private final LibC libc;
  private final Optional<Path> netns;
  private final ExecutorService thread;
  private final byte[] buffer = new byte[RECEIVE_BUFFER]; // owner thread only
  private int fd = -1; // owner thread only
  private int seq = (int) (System.nanoTime() & 0x7FFF_FFFF); // owner thread only

  private NetlinkConntrackTable(LibC libc, Optional<Path> netns) {
    this.libc = libc;
    this.netns = netns;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "berth-conntrack" + netns.map(p -> "@" + p).orElse(""));
              t.setDaemon(true);
              return t;
            });
  }

  /** Default wait for any single kernel answer. */
  public static final int DEFAULT_RECEIVE_TIMEOUT_MILLIS = 5000;

  /** {@link #open(LibC, NetworkNamespace, Optional, int)} with a 5 s receive timeout. */
  public static NetlinkConntrackTable open(
      LibC libc, NetworkNamespace namespaces, Optional<Path> netns) throws ConntrackException {
    return open(libc, namespaces, netns, DEFAULT_RECEIVE_TIMEOUT_MILLIS);
  }

  /**
   * Opens a ctnetlink socket in {@code netns} (e.g. {@code /run/netns/x}), or in the caller's own
   * namespace when empty.
   *
   * @param receiveTimeoutMillis how long to wait for any single answer from the kernel
   */
  public static NetlinkConntrackTable open(
      LibC libc, NetworkNamespace namespaces, Optional<Path> netns, int receiveTimeoutMillis)
      throws ConntrackException {
    NetlinkConntrackTable t = new NetlinkConntrackTable(libc, netns);
    try {
      t.call(
          "open",
          () -> {
            netns.ifPresent(namespaces::enter);
            t.openSocket(receiveTimeoutMillis);
            return null;
          });
      return t;
    } catch (ConntrackException | RuntimeException e) {
      t.thread.shutdownNow();
      throw e;
    }
  }

  private void openSocket(int timeoutMillis) throws ConntrackException {
    int s = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, CtNetlink.NETLINK_NETFILTER);
    if (s < 0) {
      throw new ConntrackException(
          "open NETLINK_NETFILTER socket in " + where(), "", Native.errno(libc), "");
    }
    ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    tv.putLong(timeoutMillis / 1000).putLong((timeoutMillis % 1000) * 1000L);
    if (libc.setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, tv.array(), 16) != 0) {
      int errno = Native.errno(libc);
      libc.close(s);
      throw new ConntrackException("set SO_RCVTIMEO in " + where(), "", errno, "");
    }
    fd = s;
  }

  @Override
  public List<ConntrackEntry> dump(IpFamily family) throws ConntrackException {
    return call("dump " + family + " in " + where(), () -> dumpOnOwner(family));
  }

  private List<ConntrackEntry> dumpOnOwner(IpFamily family) throws ConntrackException {
    String op = "dump " + family + " table in " + where();
    int mySeq = nextSeq();
    send(CtNetlink.dumpRequest(family, mySeq), op);
    List<ConntrackEntry> entries = new ArrayList<>();
    while (true) {
      for (Message m : receive(op)) {
        if (m.seq() != mySeq) {
          log.debug("{}: skipping a message for sequence {}", op, m.seq());
          continue;
        }
        switch (m) {
          case EntryMessage e -> entries.add(e.entry());
          case DoneMessage d -> {
            if (d.errno() != 0) {
              throw new ConntrackException(op, "", d.errno(), "dump ended with an error");
            }
            return entries;
          }
          case ErrorMessage err -> {
            if (err.errno() != 0) {
              throw new ConntrackException(op, "", err.errno(), "");
            }
          }
          case OtherMessage o -> log.debug("{}: ignoring {}", op, o.why());
          case CtNetlink.UndecodableMessage u ->
              log.warn("{}: skipping an entry that cannot be decoded: {}", op, u.why());
        }
      }
    }
  }

  @Override
  public boolean delete(ConntrackEntry entry) throws ConntrackException {
    return call("delete " + entry + " in " + where(), () -> deleteOnOwner(entry));
  }

  private boolean deleteOnOwner(ConntrackEntry entry) throws ConntrackException {
    String op = "delete " + entry + " in " + where();
    int mySeq = nextSeq();
    send(CtNetlink.deleteRequest(entry, mySeq), op);
    while (true) {
      for (Message m : receive(op)) {
        if (m.seq() == mySeq && m instanceof ErrorMessage err) {
          if (err.errno() == 0) {
            return true;
          }
          if (err.errno() == Errno.ENOENT) {
            return false;
          }
          throw new ConntrackException(op, "", err.errno(), "");
        }
        log.debug("{}: skipping {}", op, m);
      }
    }
  }

  private int nextSeq() {
    seq = seq == Integer.MAX_VALUE ? 1 : seq + 1;
    return seq;
  }

  private void send(byte[] msg, String op) throws ConntrackException {
    requireOpen(op);
    long n = libc.send(fd, msg, msg.length, 0);
    if (n != msg.length) {
      throw new ConntrackException(op, "", n < 0 ? Native.errno(libc) : 0, "send returned " + n);
    }
  }

  private List<Message> receive(String op) throws ConntrackException {
    while (true) {
      long n = libc.recv(fd, buffer, buffer.length, MSG_TRUNC);
      if (n < 0) {
        int errno = Native.errno(libc);
        if (errno == Errno.EINTR) {
          continue;
        }
        throw new ConntrackException(
            op, "", errno, errno == Errno.EAGAIN ? "no answer from the kernel in time" : "recv");
      }
      if (n > buffer.length) {
        throw new ConntrackException(op, "", 0, "netlink datagram of " + n + " bytes truncated");
      }
      try {
        return CtNetlink.parse(buffer, (int) n);
      } catch (IllegalArgumentException e) {
        throw new ConntrackException(op, "", 0, "malformed answer: " + e.getMessage());
      }
    }
  }

  private void requireOpen(String op) throws ConntrackException {
    if (fd < 0) {
      throw new ConntrackException(op, "", 0, "conntrack socket is closed");
    }
  }

  private String where() {
    return netns.map(p -> "network namespace " + p).orElse("the agent's network namespace");
  }

  @Override
  public String describe() {
    return "conntrack via NETLINK_NETFILTER in " + where();
  }

  @Override
  public void close() {
    Future<?> f =
        thread.submit(
            () -> {
              if (fd >= 0) {
                libc.close(fd);
                fd = -1;
              }
            });
    thread.shutdown();
    try {
      f.get(10, TimeUnit.SECONDS);
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("conntrack thread for {} did not stop within 10 s", where());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("interrupted closing the conntrack socket in {}", where());
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("closing the conntrack socket in {} failed", where(), e);
    }
  }

  private <T> T call(String what, Callable<T> task) throws ConntrackException {
    Future<T> f = thread.submit(task);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ConntrackException ce = new ConntrackException(what, "", 0, "interrupted");
      ce.initCause(e);
      throw ce;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof ConntrackException ce) {
        throw ce;
      }
      ConntrackException ce = new ConntrackException(what, "", 0, String.valueOf(c));
      ce.initCause(c);
      throw ce;
    }
  }
}
