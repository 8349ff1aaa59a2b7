package io.berth.agent.dbus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to a D-Bus message bus: SASL {@code EXTERNAL} with this process's uid, unix fd
 * negotiation, {@code Hello}, then method calls with replies, signals and incoming method calls.
 *
 * <pre>
 *   call() ──serial──▶ pending(serial → future) ─▶ send
 *   reader thread: receive ─▶ decode ─▶ reply? complete pending : dispatcher ─▶ handlers
 * </pre>
 *
 * <p>Thread safety: every method may be called from any thread. Signal and method-call handlers run
 * one at a time, in arrival order, on the connection's dispatch thread; they may call {@link
 * #call}. Unix fds that arrive with a reply belong to the caller; fds on messages nobody takes are
 * closed.
 */
public final class DbusConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DbusConnection.class);

  /** The system bus when {@code DBUS_SYSTEM_BUS_ADDRESS} is not set. */
  public static final String SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket";

  public static final String BUS_NAME = "org.freedesktop.DBus";
  public static final String BUS_PATH = "/org/freedesktop/DBus";
  public static final String PROPERTIES = "org.freedesktop.DBus.Properties";

  private final UnixSocket socket;
  private final String address;
  private final AtomicInteger serials = new AtomicInteger();
  private final Map<Integer, CompletableFuture<DbusMessage>> pending = new ConcurrentHashMap<>();
  private final List<Consumer<DbusMessage>> signalHandlers = new CopyOnWriteArrayList<>();
  private final List<Consumer<DbusMessage>> callHandlers = new CopyOnWriteArrayList<>();
  private final List<Runnable> closeHandlers = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatcher =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("berth-dbus-dispatch").daemon(true).unstarted(r));
  private final Thread reader;
  private volatile boolean closed;
  private volatile String uniqueName;

  private DbusConnection(UnixSocket socket, String address) {
    this.socket = socket;
    this.address = address;
    this.reader = Thread.ofPlatform().name("berth-dbus-reader").daemon(true).unstarted(this::read);
  }

  /**
   * Connects to the bus at {@code address} ({@code unix:path=/path}; the first such entry of a
   * {@code ;}-separated list), authenticates and says Hello.
   */
  public static DbusConnection open(String address, Duration timeout) throws DbusException {
    Path path = socketPath(address);
    UnixSocket s;
    try {
      s = UnixSocket.connect(path);
    } catch (IOException e) {
      throw new DbusException("cannot connect to the bus at " + address + ": " + e.getMessage(), e);
    }
    DbusConnection c = new DbusConnection(s, address);
    try {
      c.authenticate();
      c.reader.start();
      DbusMessage hello =
          c.call(DbusMessage.call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello", ""), timeout);
      c.uniqueName = (String) hello.body().get(0);
      return c;
    } catch (DbusException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The socket path of a {@code unix:path=} address. */
  static Path socketPath(String address) throws DbusException {
    for (String entry : address.split(";")) {
      if (!entry.startsWith("unix:")) {
        continue;
      }
      for (String kv : entry.substring(5).split(",")) {
        if (kv.startsWith("path=")) {
          return Path.of(unescape(kv.substring(5)));
        }
      }
    }
    throw new DbusException(
        "bus address '" + address + "' has no unix:path= entry (the only transport berth speaks)");
  }

  private static String unescape(String v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '%' && i + 2 < v.length()) {
        b.append((char) Integer.parseInt(v.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private void authenticate() throws DbusException {
    String uid = Integer.toString(UnixSocket.uid());
    String hex = HexFormat.of().formatHex(uid.getBytes(StandardCharsets.US_ASCII));
    authLine("\0AUTH EXTERNAL " + hex, "OK ");
    authLine("NEGOTIATE_UNIX_FD", "AGREE_UNIX_FD");
    try {
      socket.send("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII), List.of());
    } catch (IOException e) {
      throw new DbusException("authentication with " + address + " failed: " + e.getMessage(), e);
    }
  }

  private void authLine(String command, String expected) throws DbusException {
    try {
      socket.send((command + "\r\n").getBytes(StandardCharsets.US_ASCII), List.of());
      StringBuilder line = new StringBuilder();
      byte[] one = new byte[256];
      List<Integer> fds = new ArrayList<>();
      while (line.indexOf("\r\n") < 0) {
        int n = socket.receive(one, fds);
        if (n == 0) {
          throw new DbusException("the bus at " + address + " closed during authentication");
        }
        line.append(new String(one, 0, n, StandardCharsets.US_ASCII));
      }
      String answer = line.substring(0, line.indexOf("\r\n"));
      if (!answer.startsWith(expected)) {
        throw new DbusException(
            "the bus at "
                + address
                + " answered '"
                + answer
                + "' to "
                + command.replace("\0", "").split(" ")[0]
                + ", expected "
                + expected.strip());
      }
    } catch (IOException e) {
      throw new DbusException("authentication with " + address + " failed: " + e.getMessage(), e);
    }
  }

  /** This connection's unique name on the bus ({@code :1.42}). */
  public String uniqueName() {
    return uniqueName;
  }

  /** Sends {@code m} (a signal, reply or call without reply); returns its serial. */
  public int send(DbusMessage m) throws DbusException {
    if (closed) {
      throw new DbusException("the connection to " + address + " is closed");
    }
    int serial = nextSerial();
    DbusMessage out = m.withSerial(serial);
    try {
      socket.send(out.encode(), out.fds());
    } catch (IOException e) {
      throw new DbusException("cannot send to " + address + ": " + e.getMessage(), e);
    }
    return serial;
  }

  /**
   * Calls a method and waits for its reply. An error reply throws a {@link DbusException} with the
   * error name and message.
   */
  public DbusMessage call(DbusMessage m, Duration timeout) throws DbusException {
    if (closed) {
      throw new DbusException("the connection to " + address + " is closed");
    }
    int serial = nextSerial();
    CompletableFuture<DbusMessage> reply = new CompletableFuture<>();
    pending.put(serial, reply);
    DbusMessage out = m.withSerial(serial);
    try {
      socket.send(out.encode(), out.fds());
      DbusMessage r = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (r.type() == DbusMessage.Type.ERROR) {
        String text = r.body().isEmpty() ? "" : String.valueOf(r.body().get(0));
        throw new DbusException(
            what(m) + " failed: " + r.errorName() + ": " + text, r.errorName(), null);
      }
      return r;
    } catch (IOException e) {
      throw new DbusException(what(m) + ": cannot send: " + e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new DbusException(what(m) + ": no reply within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw new DbusException(what(m) + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DbusException(what(m) + ": interrupted", e);
    } finally {
      pending.remove(serial);
    }
  }

  /** {@code org.freedesktop.DBus.Properties.Get}: the property's value (unwrapped). */
  public Object getProperty(String dest, String path, String iface, String name, Duration timeout)
      throws DbusException {
    DbusMessage r =
        call(DbusMessage.call(dest, path, PROPERTIES, "Get", "ss", iface, name), timeout);
    return ((Variant) r.body().get(0)).value();
  }

  /** Subscribes this connection to messages matching {@code rule} (a D-Bus match rule). */
  public void addMatch(String rule, Duration timeout) throws DbusException {
    call(DbusMessage.call(BUS_NAME, BUS_PATH, BUS_NAME, "AddMatch", "s", rule), timeout);
  }

  /**
   * Asks for well-known name {@code name} ({@code DBUS_NAME_FLAG_DO_NOT_QUEUE}); throws unless this
   * connection became its primary owner.
   */
  public void requestName(String name, Duration timeout) throws DbusException {
    DbusMessage r =
        call(DbusMessage.call(BUS_NAME, BUS_PATH, BUS_NAME, "RequestName", "su", name, 4), timeout);
    long code = (Long) r.body().get(0);
    if (code != 1 && code != 4) {
      throw new DbusException("could not own " + name + " on " + address + ": reply " + code);
    }
  }

  /** Handles every signal this connection receives (see {@link #addMatch}). */
  public void onSignal(Consumer<DbusMessage> handler) {
    signalHandlers.add(handler);
  }

  /** Handles method calls addressed to this connection; the handler sends the reply. */
  public void onMethodCall(Consumer<DbusMessage> handler) {
    callHandlers.add(handler);
  }

  /** Runs {@code r} once the connection is lost or closed. */
  public void onClose(Runnable r) {
    closeHandlers.add(r);
  }

  public boolean isOpen() {
    return !closed;
  }

  private int nextSerial() {
    int s = serials.incrementAndGet();
    if (s == 0) {
      s = serials.incrementAndGet();
    }
    return s;
  }

  private static String what(DbusMessage m) {
    return m.iface() + "." + m.member() + " on " + m.destination() + " " + m.path();
  }

  private void read() {
    byte[] chunk = new byte[64 * 1024];
    byte[] acc = new byte[64 * 1024];
    int have = 0;
    Deque<Integer> fds = new ArrayDeque<>();
    List<Integer> got = new ArrayList<>();
    String why = "closed";
    try {
      while (true) {
        got.clear();
        int n = socket.receive(chunk, got);
        fds.addAll(got);
        if (n == 0) {
          why = "the bus closed the connection";
          break;
        }
        if (have + n > acc.length) {
          acc = java.util.Arrays.copyOf(acc, Math.max(acc.length * 2, have + n));
        }
        System.arraycopy(chunk, 0, acc, have, n);
        have += n;
        int at = 0;
        while (have - at >= 16) {
          int length = DbusMessage.length(acc, at);
          if (have - at < length) {
            if (length > acc.length) {
              acc = java.util.Arrays.copyOf(acc, length);
            }
            break;
          }
          deliver(DbusMessage.decode(acc, at, length, fds));
          at += length;
        }
        System.arraycopy(acc, at, acc, 0, have - at);
        have -= at;
      }
    } catch (IOException | RuntimeException e) {
      why = e.getMessage();
      if (!closed) {
        log.warn("D-Bus connection to {} failed: {}", address, e.toString());
      }
    } finally {
      closed = true;
      fds.forEach(DbusConnection::closeQuietly);
      String lost = why;
      pending
          .values()
          .forEach(f -> f.completeExceptionally(new IOException("connection lost: " + lost)));
      closeHandlers.forEach(dispatcher::execute);
      dispatcher.shutdown();
      socket.close();
    }
  }

  private void deliver(DbusMessage m) {
    switch (m.type()) {
      case METHOD_RETURN, ERROR -> {
        CompletableFuture<DbusMessage> f = pending.get(m.replySerial());
        if (f == null || !f.complete(m)) {
          m.fds().forEach(DbusConnection::closeQuietly); // a late reply nobody waits for
        }
      }
      case SIGNAL -> dispatch(signalHandlers, m);
      case METHOD_CALL -> dispatch(callHandlers, m);
    }
  }

  private void dispatch(List<Consumer<DbusMessage>> handlers, DbusMessage m) {
    m.fds().forEach(DbusConnection::closeQuietly);
    dispatcher.execute(
        () -> {
          for (Consumer<DbusMessage> h : handlers) {
            try {
              h.accept(m);
            } catch (RuntimeException e) {
              log.warn("D-Bus handler for {}.{} failed", m.iface(), m.member(), e);
            }
          }
        });
  }

  private static void closeQuietly(int fd) {
    try {
      UnixSocket.closeFd(fd);
    } catch (IOException e) {
      log.debug("closing an unclaimed fd: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    socket.shutdown();
    if (reader.isAlive()) {
      try {
        reader.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      socket.close();
    }
    dispatcher.shutdown();
  }
}
