package io.berth.agent.dbus;

import java.util.ArrayList;
import java.util.List;

/**
 * One D-Bus message: the header fields berth uses and the body, plus the unix fds that came with it
 * (their numbers in this process; a {@code h} value in the body is an index into {@link #fds()}).
 *
 * @param serial the sender's serial, non-zero
 * @param replySerial the call this answers (method returns and errors); 0 otherwise
 * @param signature the body's signature, "" for no body
 * @param fds unix fds passed with the message; owned by whoever takes them
 */
public record DbusMessage(
    Type type,
    int flags,
    int serial,
    String path,
    String iface,
    String member,
    String errorName,
    int replySerial,
    String destination,
    String sender,
    String signature,
    List<Object> body,
    List<Integer> fds) {

  /** Flag: the caller wants no reply. */
  public static final int NO_REPLY_EXPECTED = 0x1;

  /** The maximum message length the specification allows (128 MiB). */
  static final int MAX_MESSAGE = 128 * 1024 * 1024;

  /** The message types. */
  public enum Type {
    METHOD_CALL(1),
    METHOD_RETURN(2),
    ERROR(3),
    SIGNAL(4);

    final int code;

    Type(int code) {
      this.code = code;
    }

    static Type of(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown message type " + code);
    }
  }

  public DbusMessage {
    signature = signature == null ? "" : signature;
    body = body == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(body));
    fds = fds == null ? List.of() : List.copyOf(fds);
  }

  /** A method call; its serial is set when sent. */
  public static DbusMessage call(
      String destination, String path, String iface, String member, String sig, Object... args) {
    return new DbusMessage(
        Type.METHOD_CALL,
        0,
        0,
        path,
        iface,
        member,
        null,
        0,
        destination,
        null,
        sig,
        List.of(args),
        List.of());
  }

  /** A signal; its serial is set when sent. */
  public static DbusMessage signal(
      String path, String iface, String member, String sig, Object... args) {
    return new DbusMessage(
        Type.SIGNAL, 0, 0, path, iface, member, null, 0, null, null, sig, List.of(args), List.of());
  }

  /** The return of {@code call}, carrying {@code fds} (referred to by index from {@code h}). */
  public static DbusMessage reply(
      DbusMessage call, String sig, List<Object> body, List<Integer> fds) {
    return new DbusMessage(
        Type.METHOD_RETURN,
        NO_REPLY_EXPECTED,
        0,
        null,
        null,
        null,
        null,
        call.serial(),
        call.sender(),
        null,
        sig,
        body,
        fds);
  }

  /** An error reply to {@code call}. */
  public static DbusMessage error(DbusMessage call, String errorName, String message) {
    return new DbusMessage(
        Type.ERROR,
        NO_REPLY_EXPECTED,
        0,
        null,
        null,
        null,
        errorName,
        call.serial(),
        call.sender(),
        null,
        "s",
        List.of(message),
        List.of());
  }

  /** This message with serial {@code s}. */
  DbusMessage withSerial(int s) {
    return new DbusMessage(
        type,
        flags,
        s,
        path,
        iface,
        member,
        errorName,
        replySerial,
        destination,
        sender,
        signature,
        body,
        fds);
  }

  /** The wire bytes (little-endian) of this message. */
  public byte[] encode() {
    WireWriter body = new WireWriter();
    body.writeAll(signature, this.body);
    byte[] b = body.toByteArray();
    WireWriter w = new WireWriter();
    w.write("y", (byte) 'l');
    w.write("y", (byte) type.code);
    w.write("y", (byte) flags);
    w.write("y", (byte) 1);
    w.write("u", b.length);
    w.write("u", serial);
    // a(yv) written as an ordered list of structs
    List<List<Object>> list = new ArrayList<>();
    addField(list, 1, "o", path);
    addField(list, 2, "s", iface);
    addField(list, 3, "s", member);
    addField(list, 4, "s", errorName);
    if (replySerial != 0) {
      list.add(List.of((byte) 5, new Variant("u", replySerial)));
    }
    addField(list, 6, "s", destination);
    addField(list, 7, "s", sender);
    if (!signature.isEmpty()) {
      list.add(List.of((byte) 8, new Variant("g", signature)));
    }
    if (!fds.isEmpty()) {
      list.add(List.of((byte) 9, new Variant("u", fds.size())));
    }
    w.write("a(yv)", list);
    w.align(8);
    byte[] header = w.toByteArray();
    byte[] out = new byte[header.length + b.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(b, 0, out, header.length, b.length);
    if (out.length > MAX_MESSAGE) {
      throw new IllegalArgumentException("message of " + out.length + " bytes is over 128 MiB");
    }
    return out;
  }

  private static void addField(List<List<Object>> list, int code, String sig, String value) {
    if (value != null) {
      list.add(List.of((byte) code, new Variant(sig, value)));
    }
  }

  /**
   * The total length of the message whose first 16 bytes are at {@code head}, or throws when they
   * are not a little-endian D-Bus header.
   */
  static int length(byte[] head, int at) {
    if (head[at] != 'l') {
      throw new IllegalArgumentException(
          "message starts with byte " + head[at] + ", expected 'l' (little-endian)");
    }
    WireReader r = new WireReader(head, at, at + 16);
    r.read("y");
    r.read("y");
    r.read("y");
    r.read("y");
    long body = Integer.toUnsignedLong(r.int32());
    r.int32();
    long fields = Integer.toUnsignedLong(r.int32());
    long total = ((16 + fields + 7) & ~7L) + body;
    if (total > MAX_MESSAGE) {
      throw new IllegalArgumentException("message of " + total + " bytes is over 128 MiB");
    }
    return (int) total;
  }

  /**
   * Parses one whole message from {@code buf[at, at+length)}; its {@code UNIX_FDS} fds are taken
   * from the front of {@code fds}.
   */
  static DbusMessage decode(byte[] buf, int at, int length, java.util.Deque<Integer> fds) {
    WireReader r = new WireReader(buf, at, at + length);
    r.read("y");
    int type = (Byte) r.read("y") & 0xff;
    int flags = (Byte) r.read("y") & 0xff;
    int version = (Byte) r.read("y") & 0xff;
    if (version != 1) {
      throw new IllegalArgumentException("protocol version " + version + ", expected 1");
    }
    long bodyLength = (Long) r.read("u");
    int serial = (int) (long) (Long) r.read("u");
    @SuppressWarnings("unchecked")
    List<Object> fields = (List<Object>) r.read("a(yv)");
    r.align(8);
    String path = null;
    String iface = null;
    String member = null;
    String errorName = null;
    String destination = null;
    String sender = null;
    String signature = "";
    int replySerial = 0;
    int nfds = 0;
    for (Object f : fields) {
      List<?> kv = (List<?>) f;
      int code = (Byte) kv.get(0);
      Object v = ((Variant) kv.get(1)).value();
      switch (code) {
        case 1 -> path = (String) v;
        case 2 -> iface = (String) v;
        case 3 -> member = (String) v;
        case 4 -> errorName = (String) v;
        case 5 -> replySerial = (int) (long) (Long) v;
        case 6 -> destination = (String) v;
        case 7 -> sender = (String) v;
        case 8 -> signature = (String) v;
        case 9 -> nfds = (int) (long) (Long) v;
        default -> {
          // unknown header fields are ignored, as the specification requires
        }
      }
    }
    if (r.position() + bodyLength != length) {
      throw new IllegalArgumentException("body length does not match the message length");
    }
    List<Object> body = r.readAll(signature);
    if (!r.atEnd()) {
      throw new IllegalArgumentException("body longer than its signature '" + signature + "'");
    }
    List<Integer> own = new ArrayList<>();
    for (int i = 0; i < nfds && !fds.isEmpty(); i++) {
      own.add(fds.poll());
    }
    if (own.size() != nfds) {
      throw new IllegalArgumentException(
          "message announces " + nfds + " unix fds, " + own.size() + " arrived");
    }
    return new DbusMessage(
        Type.of(type),
        flags,
        serial,
        path,
        iface,
        member,
        errorName,
        replySerial,
        destination,
        sender,
        signature,
        body,
        own);
  }
}
