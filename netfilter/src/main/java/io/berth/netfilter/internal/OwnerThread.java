package io.berth.netfilter.internal;

import io.berth.netfilter.NetfilterException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated platform thread that owns native netfilter state (a libnftables context, libiptc's
 * global error state, a netlink socket bound to a namespace). Callers on any thread submit work
 * with {@link #call}; it runs there one task at a time and its failure comes back as a {@link
 * NetfilterException} naming the operation.
 */
public final class OwnerThread implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OwnerThread.class);

  private final ExecutorService thread;
  private final String name;
  private final Function<Throwable, NetfilterException> translate;

  /**
   * @param name the thread's name (e.g. {@code berth-libiptc@/run/netns/x})
   * @param translate turns a task's failure that is not a {@link NetfilterException} into one, or
   *     returns null for the default ({@code "<what> failed: <cause>"}); e.g. an {@link
   *     UnsatisfiedLinkError} into "library not available"
   */
  public OwnerThread(String name, Function<Throwable, NetfilterException> translate) {
    this.name = name;
    this.translate = translate;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  public OwnerThread(String name) {
    this(name, c -> null);
  }

  /** Runs {@code task} on the owner thread and waits for it. */
  public <T> T call(String what, Callable<T> task) throws NetfilterException {
    Future<T> f = thread.submit(task);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetfilterException(what + " interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof NetfilterException ne) {
        throw ne;
      }
      NetfilterException translated = translate.apply(c);
      throw translated != null ? translated : new NetfilterException(what + " failed: " + c, c);
    }
  }

  /** Submits {@code last} (e.g. freeing a context), then stops the thread within 10 s. */
  public void close(Runnable last) {
    thread.submit(last);
    close();
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("{} did not stop within 10 s", name);
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.shutdownNow();
    }
  }

  /** Stops the thread without waiting (a constructor that failed). */
  public void abort() {
    thread.shutdownNow();
  }
}
