package io.berth.probes.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The benchmark's yardstick: the least a client can do per probe with blocking sockets — connect
 * and close (RST, like berth) for TCP; connect, a raw GET, read the answer, close for HTTP.
 */
final class AnchorClient {
  private final InetSocketAddress address;
  private final byte[] request;

  AnchorClient(int port) {
    this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    this.request =
        ("GET / HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
  }

  boolean tcp() {
    try (var s = new Socket()) {
      s.setSoLinger(true, 0);
      s.connect(address, 1000);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("anchor TCP connect to " + address, e);
    }
  }

  boolean http() {
    try (var s = new Socket()) {
      s.setSoLinger(true, 0);
      s.setTcpNoDelay(true);
      s.setSoTimeout(1000);
      s.connect(address, 1000);
      s.getOutputStream().write(request);
      var in = s.getInputStream();
      var buf = new byte[512];
      int n = 0;
      while (true) {
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          break;
        }
        n += r;
        var text = new String(buf, 0, n, StandardCharsets.US_ASCII);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0 && n >= end + 4 + 2) { // "ok"
          return text.startsWith("HTTP/1.1 200");
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("anchor HTTP GET to " + address, e);
    }
  }
}
