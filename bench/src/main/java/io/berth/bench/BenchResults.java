package io.berth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable result of one benchmark run: its figures (berth's value, the anchor measured
 * in the same run, the target) and raw series for charts. Benchmarks keep printing their tables;
 * this is written beside them when {@code $BERTH_BENCH_OUT} names a directory (the suite sets it),
 * as {@code <dir>/<bench>.json}, and {@link SuiteReport} gathers the files.
 *
 * <p>Thread safety: not thread-safe; one benchmark's main thread fills it.
 */
public final class BenchResults {
  /** The environment variable naming the directory results are written to. */
  public static final String OUT_ENV = "BERTH_BENCH_OUT";

  private final String bench;
  private final List<String> args;
  private final List<Figure> figures = new ArrayList<>();
  private final Map<String, List<Double>> series = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();

  public BenchResults(String bench, String... args) {
    this.bench = bench;
    this.args = List.of(args);
  }

  /** Adds a figure; {@code anchor} is NaN when the figure has no anchor. */
  public BenchResults figure(Figure figure) {
    figures.add(figure);
    return this;
  }

  /** Raw values (e.g. per-pod latencies in ms, or "services → ms" pairs flattened) for charts. */
  public BenchResults series(String name, List<Double> values) {
    series.put(name, List.copyOf(values));
    return this;
  }

  public BenchResults note(String text) {
    notes.add(text);
    return this;
  }

  public List<Figure> figures() {
    return List.copyOf(figures);
  }

  /** Writes {@code <dir>/<bench>.json} when {@code $BERTH_BENCH_OUT} is set; else does nothing. */
  public void writeIfRequested() {
    String dir = System.getenv(OUT_ENV);
    if (dir == null || dir.isBlank()) {
      return;
    }
    write(Path.of(dir).resolve(bench + ".json"));
  }

  void write(Path file) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("bench", bench);
    doc.put("args", args);
    doc.put("figures", figures);
    doc.put("series", series);
    doc.put("notes", notes);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      json().writeValue(tmp.toFile(), doc);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write the results of bench " + bench + " to " + file, e);
    }
  }

  static ObjectMapper json() {
    // NaN (no anchor) is written as the string "NaN", which Jackson reads back as a double
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }
}
