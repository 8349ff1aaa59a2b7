package io.berth.agent.dbus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Out;

/**
 * A connected {@code AF_UNIX} stream socket driven through libc (jnr-ffi), because the JDK's Unix
 * channels cannot pass file descriptors: {@link #send} attaches fds with {@code SCM_RIGHTS}, {@link
 * #receive} collects the fds that arrive with the bytes.
 *
 * <p>Thread safety: one thread receives, any thread sends (sends are serialized); {@link #close}
 * from any thread wakes a blocked receive.
 */
public final class UnixSocket implements AutoCloseable {
  private static final int AF_UNIX = 1;
  private static final int SOCK_STREAM = 1;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SCM_RIGHTS = 1;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int MSG_CMSG_CLOEXEC = 0x40000000;
  private static final int MSG_CTRUNC = 0x8;
  private static final int SHUT_RDWR = 2;
  private static final int EINTR = 4;
  private static final int MAX_FDS = 16;

  /** The libc calls used (x86-64 and arm64 Linux layouts of msghdr/cmsghdr). */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    int connect(int fd, Pointer addr, int len);

    long sendmsg(int fd, Pointer msg, int flags);

    long recvmsg(int fd, Pointer msg, int flags);

    long read(int fd, @Out byte[] buf, long count);

    int shutdown(int fd, int how);

    int close(int fd);

    int pipe2(@Out int[] fds, int flags);

    int getuid();
  }

  private static volatile LibC libc;
  private static volatile jnr.ffi.Runtime runtime;

  static LibC libc() {
    if (libc == null) {
      synchronized (UnixSocket.class) {
        if (libc == null) {
          LibC l =
              LibraryLoader.create(LibC.class)
                  .load(Platform.getNativePlatform().getStandardCLibraryName());
          runtime = jnr.ffi.Runtime.getRuntime(l);
          libc = l;
        }
      }
    }
    return libc;
  }

  private static int errno() {
    return runtime.getLastError();
  }

  private final int fd;
  private final Path path;
  private final Object sendLock = new Object();
  private volatile boolean closed;
  private boolean released;

  private UnixSocket(int fd, Path path) {
    this.fd = fd;
    this.path = path;
  }

  /** Connects to the stream socket at {@code path}. */
  public static UnixSocket connect(Path path) throws IOException {
    LibC c = libc();
    byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
    if (p.length > 107) {
      throw new IOException("socket path " + path + " is longer than 107 bytes");
    }
    int fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException("socket(AF_UNIX): errno " + errno());
    }
    Pointer addr = Memory.allocateDirect(runtime, 110);
    addr.putShort(0, (short) AF_UNIX);
    addr.put(2, p, 0, p.length);
    addr.putByte(2 + p.length, (byte) 0);
    if (c.connect(fd, addr, 2 + p.length + 1) != 0) {
      int e = errno();
      c.close(fd);
      throw new IOException("connect " + path + ": " + describe(e));
    }
    return new UnixSocket(fd, path);
  }

  /** The uid of this process (for SASL EXTERNAL). */
  public static int uid() {
    return libc().getuid();
  }

  /** Closes a file descriptor this process owns (e.g. one that came with a message). */
  public static void closeFd(int fd) throws IOException {
    if (libc().close(fd) != 0) {
      throw new IOException("close fd " + fd + ": errno " + errno());
    }
  }

  /** A new pipe (close-on-exec): {read end, write end}. */
  public static int[] pipe() throws IOException {
    int[] fds = new int[2];
    if (libc().pipe2(fds, SOCK_CLOEXEC) != 0) {
      throw new IOException("pipe2: errno " + errno());
    }
    return fds;
  }

  /** Reads up to {@code buf.length} bytes from {@code fd}; 0 at end of file. */
  public static int read(int fd, byte[] buf) throws IOException {
    while (true) {
      long n = libc().read(fd, buf, buf.length);
      if (n >= 0) {
        return (int) n;
      }
      int e = errno();
      if (e != EINTR) {
        throw new IOException("read fd " + fd + ": errno " + e);
      }
    }
  }

  /** Sends all of {@code data}; the {@code fds} go with its first byte. */
  public void send(byte[] data, List<Integer> fds) throws IOException {
    if (fds.size() > MAX_FDS) {
      throw new IOException("cannot pass more than " + MAX_FDS + " fds in one message");
    }
    synchronized (sendLock) {
      int off = 0;
      boolean withFds = !fds.isEmpty();
      while (off < data.length) {
        int n = data.length - off;
        Pointer buf = Memory.allocateDirect(runtime, n);
        buf.put(0, data, off, n);
        Pointer iov = iovec(buf, n);
        Pointer control = null;
        int controlLen = 0;
        if (withFds) {
          controlLen = cmsgSpace(fds.size());
          control = Memory.allocateDirect(runtime, controlLen, true);
          control.putLong(0, 16 + 4L * fds.size()); // cmsg_len = CMSG_LEN
          control.putInt(8, SOL_SOCKET);
          control.putInt(12, SCM_RIGHTS);
          for (int i = 0; i < fds.size(); i++) {
            control.putInt(16 + 4L * i, fds.get(i));
          }
        }
        Pointer msg = msghdr(iov, control, controlLen);
        long sent = libc().sendmsg(fd, msg, MSG_NOSIGNAL);
        if (sent < 0) {
          int e = errno();
          if (e == EINTR) {
            continue;
          }
          throw new IOException("send to " + path + ": " + describe(e));
        }
        withFds = false;
        off += (int) sent;
      }
    }
  }

  /**
   * Receives what is available into {@code buf}, blocking until something is; fds that came with
   * the bytes are added to {@code fds}.
   *
   * @return the number of bytes, 0 at end of stream (peer closed, or this socket closed)
   */
  public int receive(byte[] buf, List<Integer> fds) throws IOException {
    Pointer data = Memory.allocateDirect(runtime, buf.length);
    Pointer iov = iovec(data, buf.length);
    int controlLen = cmsgSpace(MAX_FDS);
    Pointer control = Memory.allocateDirect(runtime, controlLen, true);
    Pointer msg = msghdr(iov, control, controlLen);
    long n;
    while (true) {
      n = libc().recvmsg(fd, msg, MSG_CMSG_CLOEXEC);
      if (n >= 0) {
        break;
      }
      int e = errno();
      if (closed) {
        return 0;
      }
      if (e != EINTR) {
        throw new IOException("receive from " + path + ": " + describe(e));
      }
    }
    long gotControl = msg.getLong(40);
    List<Integer> got = new ArrayList<>();
    long off = 0;
    while (off + 16 <= gotControl) {
      long len = control.getLong(off);
      if (len < 16) {
        break;
      }
      if (control.getInt(off + 8) == SOL_SOCKET && control.getInt(off + 12) == SCM_RIGHTS) {
        for (long i = 16; i + 4 <= len; i += 4) {
          got.add(control.getInt(off + i));
        }
      }
      off += (len + 7) & ~7L;
    }
    fds.addAll(got);
    if ((msg.getInt(48) & MSG_CTRUNC) != 0) {
      throw new IOException("receive from " + path + ": more fds than " + MAX_FDS + " (truncated)");
    }
    data.get(0, buf, 0, (int) n);
    return (int) n;
  }

  private static Pointer iovec(Pointer base, long len) {
    Pointer iov = Memory.allocateDirect(runtime, 16);
    iov.putAddress(0, base.address());
    iov.putLong(8, len);
    return iov;
  }

  private static Pointer msghdr(Pointer iov, Pointer control, int controlLen) {
    Pointer msg = Memory.allocateDirect(runtime, 56, true);
    msg.putAddress(16, iov.address());
    msg.putLong(24, 1);
    if (control != null) {
      msg.putAddress(32, control.address());
      msg.putLong(40, controlLen);
    }
    return msg;
  }

  private static int cmsgSpace(int nfds) {
    return 16 + ((4 * nfds + 7) & ~7);
  }

  private static String describe(int errno) {
    return switch (errno) {
      case 2 -> "no such file (errno 2)";
      case 13 -> "permission denied (errno 13)";
      case 32 -> "broken pipe (errno 32)";
      case 104 -> "connection reset (errno 104)";
      case 111 -> "connection refused (errno 111)";
      default -> "errno " + errno;
    };
  }

  /** Shuts the socket down both ways: a blocked {@link #receive} returns 0. */
  public void shutdown() {
    closed = true;
    libc().shutdown(fd, SHUT_RDWR);
  }

  /** Closes the socket; call once no thread receives any more (see {@link #shutdown}). */
  @Override
  public synchronized void close() {
    if (fd < 0 || released) {
      return;
    }
    released = true;
    closed = true;
    libc().close(fd);
  }
}
