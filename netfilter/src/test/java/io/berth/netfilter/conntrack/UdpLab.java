package io.berth.netfilter.conntrack;

import io.berth.netfilter.internal.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * UDP in test namespaces without external processes: echo servers that answer with their name,
 * running on platform threads that entered a pod namespace, and client sockets created on a thread
 * that entered the client namespace (a socket belongs to the namespace it was created in, so it can
 * be used from any thread afterwards).
 */
final class UdpLab implements AutoCloseable {
  private final NetworkNamespace namespaces;
  private final List<Server> servers = new ArrayList<>();

  UdpLab(NetworkNamespace namespaces) {
    this.namespaces = namespaces;
  }

  /** Runs {@code task} on a new platform thread inside the namespace {@code netns}. */
  <T> T in(Path netns, Callable<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t =
        Thread.ofPlatform()
            .name("berth-ct-test@" + netns.getFileName())
            .start(
                () -> {
                  try {
                    namespaces.enter(netns);
                    result.complete(task.call());
                  } catch (Exception | Error e) {
                    result.completeExceptionally(e);
                  }
                });
    try {
      T value = result.get(30, TimeUnit.SECONDS);
      t.join();
      return value;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in " + netns, e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("task in " + netns + " failed", e);
    }
  }

  /** A dual-stack UDP socket of the namespace {@code netns}, bound to an ephemeral port. */
  DatagramSocket clientSocket(Path netns) {
    return in(
        netns,
        () -> {
          DatagramSocket s = new DatagramSocket();
          s.setSoTimeout(1500);
          return s;
        });
  }

  /**
   * Sends {@code hello} on {@code s} to {@code to} and returns the answer, or empty on a timeout or
   * an ICMP port unreachable (REJECT).
   */
  static Optional<String> ask(DatagramSocket s, InetSocketAddress to) {
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    try {
      s.send(new DatagramPacket(hello, hello.length, to));
      DatagramPacket in = new DatagramPacket(new byte[512], 512);
      s.receive(in);
      return Optional.of(
          new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII).strip());
    } catch (SocketTimeoutException | PortUnreachableException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("UDP to " + to, e);
    }
  }

  /**
   * Like {@link #ask} but tries up to three times while there is no answer: the first datagram of a
   * new path can be lost while neighbours are resolved. Same socket, so the same flow.
   */
  static Optional<String> answer(DatagramSocket s, InetSocketAddress to) {
    for (int attempt = 1; ; attempt++) {
      Optional<String> a = ask(s, to);
      if (a.isPresent() || attempt == 3) {
        return a;
      }
    }
  }

  /** Starts an echo server answering {@code name} on each of {@code ports} (IPv4 and IPv6). */
  void startServer(Path netns, String name, int... ports) {
    Server server = new Server(name);
    CompletableFuture<Void> ready = new CompletableFuture<>();
    server.thread =
        Thread.ofPlatform()
            .name("berth-ct-echo-" + name)
            .start(
                () -> {
                  try {
                    namespaces.enter(netns);
                    server.serve(ports, ready);
                  } catch (IOException | RuntimeException e) {
                    ready.completeExceptionally(e);
                  }
                });
    servers.add(server);
    ready.join();
  }

  @Override
  public void close() {
    for (Server s : servers) {
      s.stop = true;
    }
    for (Server s : servers) {
      try {
        s.thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted stopping " + s.name, e);
      }
      if (s.thread.isAlive()) {
        throw new IllegalStateException("echo server " + s.name + " did not stop");
      }
    }
    servers.clear();
  }

  private static final class Server {
    final String name;
    volatile boolean stop;
    Thread thread;

    Server(String name) {
      this.name = name;
    }

    void serve(int[] ports, CompletableFuture<Void> ready) throws IOException {
      try (Selector selector = Selector.open()) {
        List<DatagramChannel> channels = new ArrayList<>();
        try {
          for (int port : ports) {
            DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET6);
            channels.add(ch);
            ch.bind(new InetSocketAddress(port)); // [::]:port, dual-stack
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
          }
          ready.complete(null);
          ByteBuffer buf = ByteBuffer.allocate(512);
          byte[] answer = (name + "\n").getBytes(StandardCharsets.US_ASCII);
          while (!stop) {
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
              DatagramChannel ch = (DatagramChannel) k.channel();
              buf.clear();
              var from = ch.receive(buf);
              if (from != null) {
                ch.send(ByteBuffer.wrap(answer), from);
              }
            }
            selector.selectedKeys().clear();
          }
        } finally {
          for (DatagramChannel ch : channels) {
            ch.close();
          }
        }
      }
    }
  }
}
