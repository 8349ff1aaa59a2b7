package io.berth.cri.fake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Unix socket server that is not a CRI server: it answers every connection with a fixed reply (by
 * default an HTTP/1.1 400) and closes it. For testing how the client reports that.
 */
public final class GarbageSocketServer implements AutoCloseable {
  private final Path socket;
  private final ServerSocketChannel server;
  private final Thread acceptor;

  private GarbageSocketServer(Path socket, ServerSocketChannel server, byte[] reply) {
    this.socket = socket;
    this.server = server;
    this.acceptor =
        Thread.ofVirtual().name("garbage-" + socket.getFileName()).start(() -> serve(reply));
  }

  public static GarbageSocketServer http400(Path socket) {
    return start(
        socket, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }

  /** Accepts and closes at once, without a byte. */
  public static GarbageSocketServer closeImmediately(Path socket) {
    return start(socket, "");
  }

  public static GarbageSocketServer start(Path socket, String reply) {
    try {
      Files.deleteIfExists(socket);
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      return new GarbageSocketServer(socket, server, reply.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + socket, e);
    }
  }

  private void serve(byte[] reply) {
    while (server.isOpen()) {
      try (SocketChannel client = server.accept()) {
        if (reply.length > 0) {
          client.read(ByteBuffer.allocate(64)); // the client's HTTP/2 preface, at least part
          client.write(ByteBuffer.wrap(reply));
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // The client went away first; serve the next one.
      }
    }
  }

  public String endpoint() {
    return "unix://" + socket;
  }

  @Override
  public void close() throws IOException {
    server.close();
    try {
      acceptor.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(socket);
  }
}
