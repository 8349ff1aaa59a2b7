package io.berth.probes.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's servers must not turn a slow prober into a failed one: the TCP port used to reset
 * connections 50 ms after accepting them, so a probe whose loop reached the connect completion
 * later failed with "connection reset by peer".
 */
class LoopbackServersTest {

  @Test
  void tcpConnectionStaysOpenUntilTheClientResetsIt() throws Exception {
    try (var servers = new LoopbackServers()) {
      long fds0 = openFds();
      var clients = new ArrayList<Socket>();
      for (int i = 0; i < 20; i++) {
        var s = new Socket();
        s.setSoLinger(true, 0);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), servers.tcpPort()), 1000);
        clients.add(s);
      }
      Thread.sleep(300); // six times what the old server held a connection
      var late = new Socket(); // the old server reset what it held when it accepted the next one
      late.setSoLinger(true, 0);
      late.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), servers.tcpPort()), 1000);
      clients.add(late);
      Thread.sleep(50);
      for (var s : clients) {
        s.setSoTimeout(50);
        s.getOutputStream().write(1); // a reset connection fails here or on the read below
        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
      }
      for (var s : clients) {
        s.close(); // SO_LINGER 0: a reset, as berth's probes close
      }
      // Both sides' sockets are gone again: the server closed its side on the reset.
      assertEquals(fds0, openFdsSettledTo(fds0), "open fds after the clients reset");
    }
  }

  @Test
  void httpAnswersOkAndClosesItsSideOnTheClientsReset() throws Exception {
    try (var servers = new LoopbackServers()) {
      long fds0 = -1;
      for (int i = 0; i < 21; i++) {
        if (i == 1) {
          fds0 = openFdsSettledTo(0); // after one exchange: the JDK opens some files lazily
        }
        try (var s = new Socket()) {
          s.setSoLinger(true, 0);
          s.setSoTimeout(1000);
          s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), servers.httpPort()));
          s.getOutputStream()
              .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          var head = new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
          assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
        }
      }
      assertEquals(fds0, openFdsSettledTo(fds0), "open fds after the clients reset");
    }
  }

  private static long openFdsSettledTo(long limit) throws IOException, InterruptedException {
    long n = openFds();
    for (int i = 0; i < 200 && n > limit; i++) {
      Thread.sleep(5);
      n = openFds();
    }
    return n;
  }

  private static long openFds() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}
