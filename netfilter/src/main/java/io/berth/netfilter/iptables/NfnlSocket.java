package io.berth.netfilter.iptables;

import io.berth.netfilter.NetfilterException;
import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code NETLINK_NETFILTER} socket (libc through jnr-ffi): send a request or batch, receive and
 * split the answers, read attributes. Receive waits are bounded ({@code SO_RCVTIMEO} 30 s); the
 * receive buffer is forced to 8 MB for large dumps, the send buffer to each batch's size.
 *
 * <p>Not thread-safe: one owner thread (the namespace it runs in is the socket's).
 */
final class NfnlSocket implements AutoCloseable {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_SNDBUFFORCE = 32;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SO_RCVTIMEO = 20;

  private final LibC libc;
  private final String where;
  private final byte[] buffer = new byte[1 << 18];
  private int fd = -1;

  NfnlSocket(LibC libc, String where) {
    this.libc = libc;
    this.where = where;
  }

  boolean isOpen() {
    return fd >= 0;
  }

  /** Lets the kernel take a batch of {@code size} bytes in one send. */
  void forceSendBuffer(int size, String op) throws NetfilterException {
    forceBuffer(SO_SNDBUFFORCE, size, op);
  }

  @Override
  public void close() {
    if (fd >= 0) {
      libc.close(fd);
      fd = -1;
    }
  }

  /** One answer: type, sequence number, and for NLMSG_ERROR the (negative) error, else 0. */
  record Reply(int type, int seq, int error, ByteBuffer body) {}

  /** Sends a dump request and collects every answer to it until NLMSG_DONE. */
  List<ByteBuffer> dump(byte[] request, int mySeq, String op) throws NetfilterException {
    send(request, op);
    List<ByteBuffer> out = new ArrayList<>();
    while (true) {
      for (Reply r : receive(op)) {
        if (r.seq() != mySeq) {
          continue;
        }
        if (r.type() == NfMessages.NLMSG_DONE) {
          return out;
        }
        if (r.type() == NfMessages.NLMSG_ERROR) {
          if (r.error() == 0) {
            return out;
          }
          throw new NetfilterException(op + " in " + where + ": " + Errnos.describe(-r.error()));
        }
        out.add(r.body());
      }
    }
  }

  /** Opens the socket in the calling thread's network namespace. */
  void open() throws NetfilterException {
    if (fd >= 0) {
      return;
    }
    int s = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NfMessages.NETLINK_NETFILTER);
    if (s < 0) {
      throw new NetfilterException(
          "open NETLINK_NETFILTER socket in " + where + ": " + Errnos.describe(Native.errno(libc)));
    }
    fd = s;
    ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    tv.putLong(30).putLong(0);
    if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv.array(), 16) != 0) {
      throw new NetfilterException("set SO_RCVTIMEO: " + Errnos.describe(Native.errno(libc)));
    }
    forceBuffer(SO_RCVBUFFORCE, 8 << 20, "open socket");
  }

  private void forceBuffer(int option, int size, String op) throws NetfilterException {
    byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(size).array();
    if (libc.setsockopt(fd, SOL_SOCKET, option, v, 4) != 0) {
      throw new NetfilterException(
          op
              + ": setsockopt("
              + option
              + ", "
              + size
              + "): "
              + Errnos.describe(Native.errno(libc)));
    }
  }

  void send(byte[] bytes, String op) throws NetfilterException {
    open();
    long n = libc.send(fd, bytes, bytes.length, 0);
    if (n != bytes.length) {
      throw new NetfilterException(
          op
              + ": send of "
              + bytes.length
              + " bytes returned "
              + n
              + ": "
              + Errnos.describe(Native.errno(libc)));
    }
  }

  /** One datagram's messages. */
  List<Reply> receive(String op) throws NetfilterException {
    long n = libc.recv(fd, buffer, buffer.length, 0);
    if (n < 0) {
      throw new NetfilterException(
          op + ": no answer from the kernel: " + Errnos.describe(Native.errno(libc)));
    }
    List<Reply> out = new ArrayList<>();
    byte[] copy = java.util.Arrays.copyOf(buffer, (int) n);
    ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
    int at = 0;
    while (at + 16 <= n) {
      int len = b.getInt(at);
      if (len < 16 || at + len > n) {
        break;
      }
      int type = b.getShort(at + 4) & 0xffff;
      int s = b.getInt(at + 8);
      int error = type == NfMessages.NLMSG_ERROR ? b.getInt(at + 16) : 0;
      ByteBuffer body =
          ByteBuffer.wrap(copy, at + 20, Math.max(0, len - 20))
              .slice()
              .order(ByteOrder.nativeOrder());
      out.add(new Reply(type, s, error, body));
      at += (len + 3) & ~3;
    }
    return out;
  }

  /** Top-level attributes of {@code b} by type (nested flag masked off). */
  static Map<Integer, ByteBuffer> attributes(ByteBuffer b) {
    Map<Integer, ByteBuffer> out = new HashMap<>();
    if (b == null) {
      return out;
    }
    int at = 0;
    ByteBuffer d = b.duplicate().order(ByteOrder.nativeOrder());
    while (at + 4 <= d.limit()) {
      int len = d.getShort(at) & 0xffff;
      int type = d.getShort(at + 2) & 0x3fff;
      if (len < 4 || at + len > d.limit()) {
        break;
      }
      out.putIfAbsent(type, d.slice(at + 4, len - 4).order(ByteOrder.nativeOrder()));
      at += (len + 3) & ~3;
    }
    return out;
  }

  /** Every element of a nested list ({@code NFTA_LIST_ELEM}). */
  static List<ByteBuffer> list(ByteBuffer b) {
    List<ByteBuffer> out = new ArrayList<>();
    int at = 0;
    while (at + 4 <= b.limit()) {
      int len = b.getShort(at) & 0xffff;
      if (len < 4 || at + len > b.limit()) {
        break;
      }
      out.add(b.slice(at + 4, len - 4).order(ByteOrder.nativeOrder()));
      at += (len + 3) & ~3;
    }
    return out;
  }

  static String string(ByteBuffer b) {
    if (b == null) {
      return "";
    }
    byte[] v = new byte[b.limit()];
    b.duplicate().get(0, v);
    int end = 0;
    while (end < v.length && v[end] != 0) {
      end++;
    }
    return new String(v, 0, end, StandardCharsets.UTF_8);
  }
}
