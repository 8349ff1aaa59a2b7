package io.berth.tests.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The load a soak test holds: one client fetching {@code ip:port} on a new connection every {@code
 * interval}, each answer recorded under the test's current phase (e.g. "outage 1"), failures
 * counted with their first few reasons. {@link #close()} stops it and waits for the last request.
 *
 * <p>Thread safety: one loop thread records; the test thread sets phases and reads (synchronized).
 */
final class ClientLoad implements AutoCloseable {
  private final Map<String, Map<String, Integer>> answers = new LinkedHashMap<>();
  private final List<String> failureLog = new ArrayList<>();
  private final Thread loop;
  private volatile boolean stop;
  private volatile String phase = "start";
  private int requests;
  private int failures;

  private ClientLoad(ClientNetns client, String ip, int port, Duration interval) {
    loop =
        Thread.ofPlatform()
            .name("soak-client-load")
            .start(
                () -> {
                  while (!stop) {
                    String at = phase;
                    var answer = client.fetch(ip, port);
                    record(at, answer.orElse(null), answer.isEmpty() ? client.lastError() : null);
                    try {
                      Thread.sleep(interval.toMillis());
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  static ClientLoad start(ClientNetns client, String ip, int port, Duration interval) {
    return new ClientLoad(client, ip, port, interval);
  }

  void phase(String name) {
    phase = name;
  }

  private synchronized void record(String at, String answer, String error) {
    requests++;
    answers
        .computeIfAbsent(at, p -> new TreeMap<>())
        .merge(answer == null ? "(failed)" : answer, 1, Integer::sum);
    if (answer == null) {
      failures++;
      if (failureLog.size() < 5) {
        failureLog.add(at + ": " + error);
      }
    }
  }

  /** The pages' first words answered during {@code phase} (failures left out). */
  synchronized Set<String> answersIn(String phase) {
    Set<String> out = new TreeSet<>(answers.getOrDefault(phase, Map.of()).keySet());
    out.remove("(failed)");
    return out;
  }

  synchronized Map<String, Map<String, Integer>> answersPerPhase() {
    Map<String, Map<String, Integer>> copy = new LinkedHashMap<>();
    answers.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
    return copy;
  }

  synchronized int requests() {
    return requests;
  }

  synchronized int failures() {
    return failures;
  }

  synchronized List<String> failureLog() {
    return List.copyOf(failureLog);
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    loop.join(Duration.ofSeconds(15));
  }
}
