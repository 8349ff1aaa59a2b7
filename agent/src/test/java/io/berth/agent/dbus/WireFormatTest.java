package io.berth.agent.dbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The marshalling against byte sequences worked out by hand from the D-Bus specification. */
class WireFormatTest {

  private static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  private static byte[] write(String sig, Object... values) {
    WireWriter w = new WireWriter();
    w.writeAll(sig, List.of(values));
    return w.toByteArray();
  }

  private static List<Object> read(String sig, byte[] b) {
    WireReader r = new WireReader(b, 0, b.length);
    List<Object> v = r.readAll(sig);
    assertThat(r.atEnd()).isTrue();
    return v;
  }

  @Test
  void basicTypesAreLittleEndianAndPaddedToTheirAlignment() {
    // y at 0, 3 bytes padding, u at 4; b is a 4-byte 0/1; t aligned to 8
    assertThat(write("yu", (byte) 1, 2)).isEqualTo(bytes(1, 0, 0, 0, 2, 0, 0, 0));
    assertThat(write("ybt", (byte) 7, true, 0x0102030405060708L))
        .isEqualTo(bytes(7, 0, 0, 0, 1, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1));
    assertThat(write("n", (short) -2)).isEqualTo(bytes(0xfe, 0xff));
    assertThat(read("ybt", write("ybt", (byte) 7, true, 0x0102030405060708L)))
        .containsExactly((byte) 7, true, 0x0102030405060708L);
  }

  @Test
  void stringsCarryALengthAndATrailingNulSignaturesAOneByteLength() {
    assertThat(write("s", "abc")).isEqualTo(bytes(3, 0, 0, 0, 'a', 'b', 'c', 0));
    assertThat(write("g", "as")).isEqualTo(bytes(2, 'a', 's', 0));
    // g ends at 4, so the o after it needs no padding; "/" is length 1 + NUL
    assertThat(write("go", "y", "/")).isEqualTo(bytes(1, 'y', 0, 0, 1, 0, 0, 0, '/', 0));
    assertThat(read("sg", write("sg", "héllo", "a{sv}"))).containsExactly("héllo", "a{sv}");
  }

  @Test
  void anArrayLengthCountsElementsOnlyNotThePaddingBeforeTheFirst() {
    // empty array of 8-aligned elements: length 0, still padded to 8
    assertThat(write("at", List.of())).isEqualTo(bytes(0, 0, 0, 0, 0, 0, 0, 0));
    // a{sv} {"a": <true>}: length at 0, pad to 8, "a" at 8..14, variant signature "b" at 14..17,
    // pad to 20, the boolean at 20..24: 16 bytes of elements
    Map<String, Variant> m = new LinkedHashMap<>();
    m.put("a", new Variant("b", true));
    byte[] expected =
        bytes(16, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'a', 0, 1, 'b', 0, 0, 0, 0, 1, 0, 0, 0);
    assertThat(write("a{sv}", m)).isEqualTo(expected);
    assertThat(read("a{sv}", expected)).containsExactly(m);
    assertThat(read("ai", write("ai", List.of(1, -1)))).containsExactly(List.of(1, -1));
  }

  @Test
  void structsStartOn8ByteBoundaries() {
    assertThat(write("y(ys)", (byte) 9, List.of((byte) 1, "x")))
        .isEqualTo(bytes(9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 'x', 0));
  }

  /**
   * The bus's {@code Hello} call with serial 1: header fields PATH, INTERFACE, MEMBER, DESTINATION,
   * no body; 16 + 0x6d bytes of header padded to 128.
   */
  @Test
  void theHelloCallIsTheSpecificationsHeaderLayout() {
    byte[] hello =
        DbusMessage.call(
                DbusConnection.BUS_NAME,
                DbusConnection.BUS_PATH,
                DbusConnection.BUS_NAME,
                "Hello",
                "")
            .withSerial(1)
            .encode();
    StringBuilder expected = new StringBuilder();
    expected.append("l\u0001\u0000\u0001").append("\u0000\u0000\u0000\u0000");
    expected.append("\u0001\u0000\u0000\u0000").append("m\u0000\u0000\u0000");
    expected.append("\u0001\u0001o\u0000\u0015\u0000\u0000\u0000/org/freedesktop/DBus\u0000");
    expected.append("\u0000\u0000"); // pad to 8 for the next struct
    expected.append("\u0002\u0001s\u0000\u0014\u0000\u0000\u0000org.freedesktop.DBus\u0000");
    expected.append("\u0000\u0000\u0000");
    expected.append("\u0003\u0001s\u0000\u0005\u0000\u0000\u0000Hello\u0000");
    expected.append("\u0000\u0000");
    expected.append("\u0006\u0001s\u0000\u0014\u0000\u0000\u0000org.freedesktop.DBus\u0000");
    expected.append("\u0000\u0000\u0000"); // the header ends 8-aligned
    assertThat(hello).isEqualTo(expected.toString().getBytes(StandardCharsets.ISO_8859_1));
    assertThat(hello).hasSize(128);
    assertThat(DbusMessage.length(hello, 0)).isEqualTo(128);
  }

  @Test
  void aReplyWithAUnixFdDecodesWithTheFdThatCameWithIt() {
    DbusMessage call =
        new DbusMessage(
            DbusMessage.Type.METHOD_CALL,
            0,
            5,
            "/p",
            "i.f",
            "M",
            null,
            0,
            ":1.2",
            ":1.1",
            "",
            List.of(),
            List.of());
    byte[] wire = DbusMessage.reply(call, "h", List.of(0), List.of(42)).withSerial(9).encode();
    ArrayDeque<Integer> fds = new ArrayDeque<>(List.of(17, 18));
    DbusMessage back = DbusMessage.decode(wire, 0, wire.length, fds);
    assertThat(back.type()).isEqualTo(DbusMessage.Type.METHOD_RETURN);
    assertThat(back.replySerial()).isEqualTo(5);
    assertThat(back.destination()).isEqualTo(":1.1");
    assertThat(back.signature()).isEqualTo("h");
    assertThat(back.body()).containsExactly(0);
    assertThat(back.fds()).containsExactly(17);
    assertThat(fds).containsExactly(18);
  }

  @Test
  void malformedInputIsRefusedWithItsOffset() {
    assertThatThrownBy(() -> read("yu", bytes(1, 9, 0, 0, 2, 0, 0, 0)))
        .hasMessageContaining("non-zero padding at offset 2");
    assertThatThrownBy(() -> read("s", bytes(3, 0, 0, 0, 'a', 'b', 'c', 'd')))
        .hasMessageContaining("not NUL-terminated");
    assertThatThrownBy(() -> read("s", bytes(9, 0, 0, 0, 'a')))
        .hasMessageContaining("runs past the end");
    assertThatThrownBy(() -> read("b", bytes(2, 0, 0, 0))).hasMessageContaining("boolean 2");
    assertThatThrownBy(() -> read("ai", bytes(0xff, 0xff, 0xff, 0x7f)))
        .hasMessageContaining("array length");
    assertThatThrownBy(() -> DbusMessage.length(bytes(new int[16]), 0))
        .hasMessageContaining("expected 'l'");
    assertThatThrownBy(() -> Signatures.split("a{sv")).hasMessageContaining("bad container");
    byte[] fdReply = DbusMessage.signal("/p", "i.f", "S", "h", 0).withSerial(1).encode();
    // a signal announcing no fds but whose body names one still decodes; one announcing an fd
    // that did not arrive does not
    DbusMessage withFd =
        new DbusMessage(
            DbusMessage.Type.SIGNAL,
            0,
            1,
            "/p",
            "i.f",
            "S",
            null,
            0,
            null,
            null,
            "h",
            List.of(0),
            List.of(3));
    byte[] announced = withFd.encode();
    assertThat(DbusMessage.decode(fdReply, 0, fdReply.length, new ArrayDeque<>()).fds()).isEmpty();
    assertThatThrownBy(() -> DbusMessage.decode(announced, 0, announced.length, new ArrayDeque<>()))
        .hasMessageContaining("announces 1 unix fds, 0 arrived");
  }

  @Test
  void busAddressesNeedAUnixPath() throws Exception {
    assertThat(DbusConnection.socketPath("unix:path=/run/dbus/system_bus_socket"))
        .hasToString("/run/dbus/system_bus_socket");
    assertThat(DbusConnection.socketPath("tcp:host=x,port=1;unix:path=/tmp/a%20b,guid=1"))
        .hasToString("/tmp/a b");
    assertThatThrownBy(() -> DbusConnection.socketPath("unix:abstract=/x"))
        .isInstanceOf(DbusException.class)
        .hasMessageContaining("no unix:path= entry");
  }
}
