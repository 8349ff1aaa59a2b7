package io.berth.netfilter.ipvs;

import static io.berth.netfilter.ipvs.IpvsAbi.*;

import io.berth.netfilter.internal.LibC;
import io.berth.netfilter.internal.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * A {@code NETLINK_GENERIC} socket (libc {@code socket/send/recv} through jnr-ffi) in the calling
 * thread's network namespace: one request at a time, answers matched by sequence number. Not
 * thread-safe; the owner closes it.
 */
public final class GenlSocket implements AutoCloseable {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int ENOENT = 2;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;

  /** How long one receive waits for the kernel before the request fails (EAGAIN). */
  static final int RECEIVE_TIMEOUT_MILLIS = 5_000;

  private final LibC libc;
  private final int fd;
  private final byte[] receive = new byte[65_536];
  private int seq;

  private GenlSocket(LibC libc, int fd) {
    this.libc = libc;
    this.fd = fd;
  }

  /**
   * Opens a generic netlink socket in the calling thread's namespace; every wait for an answer is
   * bounded by {@link #RECEIVE_TIMEOUT_MILLIS} ({@code SO_RCVTIMEO}).
   */
  public static GenlSocket open(LibC libc) throws GenlException {
    int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
    if (fd < 0) {
      throw new GenlException("opening a NETLINK_GENERIC socket", Native.errno(libc));
    }
    ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    tv.putLong(RECEIVE_TIMEOUT_MILLIS / 1000).putLong((RECEIVE_TIMEOUT_MILLIS % 1000) * 1000L);
    if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv.array(), 16) != 0) {
      int errno = Native.errno(libc);
      libc.close(fd);
      throw new GenlException("setting SO_RCVTIMEO on a NETLINK_GENERIC socket", errno);
    }
    return new GenlSocket(libc, fd);
  }

  /** The next sequence number for a request. */
  public int nextSeq() {
    return ++seq;
  }

  /**
   * Asks the controller for {@code name}'s family id; empty when the controller answers ENOENT (the
   * kernel has no such family: for {@code IPVS}, no ip_vs).
   */
  public OptionalInt resolveFamily(String name) throws GenlException {
    try {
      List<ByteBuffer> answer = request(IpvsMessages.getFamily(name, nextSeq()), false, false);
      return answer.isEmpty() ? OptionalInt.empty() : IpvsMessages.familyId(answer.get(0));
    } catch (GenlException e) {
      if (e.errno() == ENOENT) {
        return OptionalInt.empty();
      }
      throw e;
    }
  }

  /**
   * Sends {@code message} (its sequence number at bytes 8..11) and collects the answers: with
   * {@code dump}, every message until {@code NLMSG_DONE}; with {@code ack}, none but the ACK; else
   * the first answer.
   *
   * @throws GenlException when the kernel answers an error
   */
  public List<ByteBuffer> request(byte[] message, boolean dump, boolean ack) throws GenlException {
    int mySeq = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).getInt(8);
    long sent = libc.send(fd, message, message.length, 0);
    if (sent != message.length) {
      throw new GenlException("netlink send of " + message.length + " bytes", Native.errno(libc));
    }
    List<ByteBuffer> out = new ArrayList<>();
    while (true) {
      long n = libc.recv(fd, receive, receive.length, 0);
      if (n < NLMSG_HDRLEN) {
        throw new GenlException("netlink recv returned " + n, Native.errno(libc));
      }
      ByteBuffer all = ByteBuffer.wrap(receive, 0, (int) n).order(ByteOrder.nativeOrder());
      int at = 0;
      while (at + NLMSG_HDRLEN <= n) {
        int len = all.getInt(at);
        short type = all.getShort(at + 4);
        int answerSeq = all.getInt(at + 8);
        if (len < NLMSG_HDRLEN || at + len > n) {
          throw new GenlException("malformed netlink answer of " + len + " bytes", 0);
        }
        if (answerSeq == mySeq) {
          if (type == NLMSG_ERROR) {
            int error = all.getInt(at + NLMSG_HDRLEN);
            if (error != 0) {
              throw new GenlException("generic netlink request", -error);
            }
            return out;
          }
          if (type == NLMSG_DONE) {
            return out;
          }
          byte[] copy = Arrays.copyOfRange(receive, at, at + len);
          out.add(ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()));
          if (!dump && !ack) {
            return out;
          }
        }
        at += align(len);
      }
    }
  }

  @Override
  public void close() {
    libc.close(fd);
  }
}
