package io.berth.agent;

import io.berth.cri.CriCallObserver;
import io.berth.cri.CriException;
import io.berth.cri.CriOptions;
import io.berth.cri.CriRuntime;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.ImageService;
import io.berth.cri.RuntimeService;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * berth's link to the container runtime. It connects in the background and retries with capped,
 * jittered exponential back-off (1 s doubling to 30 s) while the runtime is down or incompatible.
 * Everything else keeps running meanwhile. Once connected, the CRI client reconnects by itself when
 * the runtime restarts.
 *
 * <p>Thread safety: {@link #runtime()} may be called from any thread.
 */
final class RuntimeConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RuntimeConnection.class);
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final String endpoint;
  private final AtomicReference<CriRuntime> connected = new AtomicReference<>();
  private volatile boolean closed;
  private Thread connector;

  private final CriCallObserver observer;

  RuntimeConnection(String endpoint, CriCallObserver observer) {
    this.endpoint = endpoint;
    this.observer = observer;
  }

  /** Starts connecting on a virtual thread; {@code onConnected} runs once, on that thread. */
  synchronized void connectInBackground(Consumer<CriRuntime> onConnected) {
    connector =
        Thread.ofVirtual().name("berth-runtime-connect").start(() -> connectLoop(onConnected));
  }

  private void connectLoop(Consumer<CriRuntime> onConnected) {
    Duration wait = FIRST_RETRY;
    while (!closed) {
      try {
        CriRuntime cri = CriRuntime.connect(endpoint, CriOptions.defaults(), observer);
        if (closed) {
          cri.close();
          return;
        }
        connected.set(cri);
        log.info(
            "connected to {} {} (CRI {}) at {}",
            cri.version().runtimeName(),
            cri.version().runtimeVersion(),
            cri.version().runtimeApiVersion(),
            endpoint);
        onConnected.accept(cri);
        return;
      } catch (CriException e) {
        log.warn(
            "container runtime not usable, retrying in {} s: {}", wait.toSeconds(), e.getMessage());
      }
      try {
        long jitter = ThreadLocalRandom.current().nextLong(wait.toMillis() / 5 + 1);
        Thread.sleep(wait.toMillis() + jitter);
      } catch (InterruptedException e) {
        return;
      }
      wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
    }
  }

  boolean isConnected() {
    return connected.get() != null;
  }

  /** The runtime, or CriUnavailableException while berth has not connected yet. */
  RuntimeService runtime() {
    CriRuntime cri = connected.get();
    if (cri == null) {
      throw new CriUnavailableException(
          "connect", endpoint, "berth has not connected to the runtime yet", null);
    }
    return cri.runtime();
  }

  /** The image service, or CriUnavailableException while berth has not connected yet. */
  ImageService images() {
    CriRuntime cri = connected.get();
    if (cri == null) {
      throw new CriUnavailableException(
          "connect", endpoint, "berth has not connected to the runtime yet", null);
    }
    return cri.images();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connector != null) {
      connector.interrupt();
    }
    CriRuntime cri = connected.getAndSet(null);
    if (cri != null) {
      cri.close();
    }
  }
}
