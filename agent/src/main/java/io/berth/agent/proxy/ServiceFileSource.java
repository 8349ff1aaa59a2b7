package io.berth.agent.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone Services and EndpointSlices from a directory of {@code *.yaml}, {@code *.yml} and
 * {@code *.json} files in the API's format (hidden files are ignored). A file may hold several YAML
 * documents and {@code kind: List} objects, so a Service and its EndpointSlice can live together.
 * Each {@link #scan()} compares the directory with the previous scan and tells the {@link
 * ProxyEventHandler} what was added, changed or removed; the first scan also reports both sources
 * synced.
 *
 * <p>A file that does not parse or holds something invalid is rejected as a whole (file + reason,
 * see {@link #rejected()}); other files are unaffected, and a file that was valid before keeps its
 * last valid content in force until it is fixed or deleted (a half-written edit must not take a
 * Service down). An object defined in two files is taken from the first file by name.
 *
 * <p>Thread safety: {@link #scan()} is synchronized; the handler is called on the scanning thread.
 */
public final class ServiceFileSource {
  private static final Logger log = LoggerFactory.getLogger(ServiceFileSource.class);

  /** The longest re-scan period berth allows (changes show up within it). */
  public static final Duration MAX_RESCAN = Duration.ofSeconds(20);

  /** A file (or one object of it) the source did not accept, and why. */
  public record Rejected(Path file, String reason) {}

  private record ObjectId(String kind, String namespace, String name)
      implements Comparable<ObjectId> {
    @Override
    public int compareTo(ObjectId o) {
      return (kind + "/" + namespace + "/" + name)
          .compareTo(o.kind + "/" + o.namespace + "/" + o.name);
    }

    @Override
    public String toString() {
      return kind + " " + namespace + "/" + name;
    }
  }

  /**
   * The last content seen for a file (as its SHA-256: the content itself is parsed once and not
   * kept; at 10k Services the files' text was 9 MB of heap), and its last valid objects.
   */
  private record FileState(byte[] digest, Optional<String> error, List<HasMetadata> lastGood) {}

  private final Path dir;
  private final ProxyEventHandler handler;
  private final ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
  private final ServiceConverter validator = new ServiceConverter(Optional.empty());
  private final Map<Path, FileState> files = new TreeMap<>();
  private Map<ObjectId, HasMetadata> current = new TreeMap<>();
  private List<Rejected> rejected = List.of();
  private boolean synced;

  public ServiceFileSource(Path dir, ProxyEventHandler handler) {
    this.dir = dir;
    this.handler = handler;
  }

  /** Files (or objects) rejected by the last scan. */
  public synchronized List<Rejected> rejected() {
    return rejected;
  }

  /**
   * Re-reads the directory and delivers the differences. Returns the rejected files.
   *
   * @throws IOException when the directory itself cannot be listed (nothing is delivered then)
   */
  public synchronized List<Rejected> scan() throws IOException {
    List<Path> paths;
    try (Stream<Path> s = Files.list(dir)) {
      paths = s.filter(ServiceFileSource::isManifest).sorted().toList();
    } catch (IOException e) {
      throw new IOException("cannot list service directory " + dir + ": " + e.getMessage(), e);
    }
    files.keySet().retainAll(paths);
    List<Rejected> problems = new ArrayList<>();
    Map<ObjectId, HasMetadata> desired = new TreeMap<>();
    Map<ObjectId, Path> owner = new TreeMap<>();
    for (Path p : paths) {
      FileState st = read(p);
      st.error().ifPresent(err -> problems.add(new Rejected(p, err)));
      for (HasMetadata o : st.lastGood()) {
        ObjectId id = idOf(o);
        Path first = owner.putIfAbsent(id, p);
        if (first != null) {
          problems.add(new Rejected(p, id + " is already defined in " + first.getFileName()));
        } else {
          desired.put(id, o);
        }
      }
    }
    deliver(desired);
    if (!problems.equals(rejected)) {
      problems.forEach(r -> log.warn("rejected {}: {}", r.file(), r.reason()));
    }
    rejected = List.copyOf(problems);
    if (!synced) {
      synced = true;
      handler.onServicesSynced();
      handler.onEndpointSlicesSynced();
    }
    return rejected;
  }

  /**
   * Scans now and then every {@code period} (at most {@link #MAX_RESCAN}) on {@code scheduler}
   * until the returned handle is cancelled. A failed scan is logged and retried next period.
   */
  public TaskScheduler.Cancellable scanPeriodically(TaskScheduler scheduler, Duration period) {
    if (!period.isPositive() || period.compareTo(MAX_RESCAN) > 0) {
      throw new IllegalArgumentException("re-scan period must be in (0, 20 s]: " + period);
    }
    return scheduler.repeat(
        Duration.ZERO,
        period,
        () -> {
          try {
            scan();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        "scanning " + dir);
  }

  private static boolean isManifest(Path p) {
    String n = p.getFileName().toString();
    return !n.startsWith(".")
        && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"))
        && Files.isRegularFile(p);
  }

  private FileState read(Path p) {
    FileState old = files.get(p);
    List<HasMetadata> lastGood = old == null ? List.of() : old.lastGood();
    byte[] content;
    try {
      content = Files.readAllBytes(p);
    } catch (IOException e) {
      FileState st = new FileState(new byte[0], Optional.of("cannot read: " + e), lastGood);
      files.put(p, st);
      return st;
    }
    byte[] digest = sha256(content);
    if (old != null && Arrays.equals(old.digest(), digest)) {
      return old;
    }
    FileState st;
    try {
      st = new FileState(digest, Optional.empty(), parse(content));
    } catch (IOException | IllegalArgumentException e) {
      st = new FileState(digest, Optional.of(e.getMessage()), lastGood);
    }
    files.put(p, st);
    return st;
  }

  private static byte[] sha256(byte[] content) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(content);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e); // every JDK has it
    }
  }

  /** Parses every document of a file; any problem rejects the file. */
  List<HasMetadata> parse(byte[] content) throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    Map<ObjectId, Boolean> seen = new LinkedHashMap<>();
    try (MappingIterator<JsonNode> docs = mapper.readerFor(JsonNode.class).readValues(content)) {
      int doc = 0;
      while (docs.hasNextValue()) {
        JsonNode node = docs.nextValue();
        doc++;
        if (node == null || node.isNull() || node.isMissingNode()) {
          continue; // an empty document between separators
        }
        List<JsonNode> items = new ArrayList<>();
        if (node.path("kind").asText().endsWith("List") && node.has("items")) {
          node.get("items").forEach(items::add);
        } else {
          items.add(node);
        }
        for (JsonNode item : items) {
          HasMetadata o = object(item, doc);
          if (seen.put(idOf(o), true) != null) {
            throw new IllegalArgumentException("document " + doc + ": " + idOf(o) + " twice");
          }
          out.add(o);
        }
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(notYaml(e), e);
    } catch (RuntimeJsonMappingException e) {
      // Jackson wraps parse errors met while iterating.
      throw new IllegalArgumentException(
          e.getCause() instanceof JsonProcessingException j
              ? notYaml(j)
              : "not valid YAML/JSON: " + e.getMessage(),
          e);
    }
    return out;
  }

  private static String notYaml(JsonProcessingException e) {
    var loc = e.getLocation();
    return "not valid YAML/JSON"
        + (loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr())
        + ": "
        + e.getOriginalMessage().strip();
  }

  private HasMetadata object(JsonNode node, int doc) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("document " + doc + " is not an object");
    }
    String kind = node.path("kind").asText();
    String apiVersion = node.path("apiVersion").asText();
    String name = node.path("metadata").path("name").asText();
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "document " + doc + ": " + kind + " without metadata.name");
    }
    if (node.path("metadata").path("namespace").asText().isEmpty()) {
      ((ObjectNode) node.get("metadata")).put("namespace", "default");
    }
    String where = "document " + doc + " (" + kind + " " + name + "): ";
    try {
      switch (kind + " " + apiVersion) {
        case "Service v1" -> {
          Service s = mapper.treeToValue(node, Service.class);
          validator.convert(s); // throws with the reason when an address or port is invalid
          return RetainedObjects.compact(s);
        }
        case "EndpointSlice discovery.k8s.io/v1" -> {
          EndpointSlice s = mapper.treeToValue(node, EndpointSlice.class);
          if (SliceInfo.serviceOf(s).isEmpty()) {
            throw new IllegalArgumentException("no " + SliceInfo.SERVICE_NAME_LABEL + " label");
          }
          if (s.getAddressType() == null) {
            throw new IllegalArgumentException("no addressType");
          }
          SliceInfo.from(s, ""); // validates addresses and ports
          return RetainedObjects.compact(s);
        }
        default ->
            throw new IllegalArgumentException(
                "unsupported kind '"
                    + kind
                    + "' apiVersion '"
                    + apiVersion
                    + "' (expected Service v1 or EndpointSlice discovery.k8s.io/v1)");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + e.getOriginalMessage(), e);
    }
  }

  private static ObjectId idOf(HasMetadata o) {
    ServiceKey k = ServiceKey.of(o.getMetadata());
    return new ObjectId(o.getKind(), k.namespace(), k.name());
  }

  private void deliver(Map<ObjectId, HasMetadata> desired) {
    for (var e : current.entrySet()) {
      if (!desired.containsKey(e.getKey())) {
        switch (e.getValue()) {
          case Service s -> handler.onServiceDelete(s);
          case EndpointSlice s -> handler.onEndpointSliceDelete(s);
          default -> throw new IllegalStateException("unexpected object " + e.getKey());
        }
      }
    }
    for (var e : desired.entrySet()) {
      HasMetadata old = current.get(e.getKey());
      if (old != null && old.equals(e.getValue())) {
        continue;
      }
      switch (e.getValue()) {
        case Service s when old == null -> handler.onServiceAdd(s);
        case Service s -> handler.onServiceUpdate((Service) old, s);
        case EndpointSlice s when old == null -> handler.onEndpointSliceAdd(s);
        case EndpointSlice s -> handler.onEndpointSliceUpdate((EndpointSlice) old, s);
        default -> throw new IllegalStateException("unexpected object " + e.getKey());
      }
    }
    current = desired;
  }
}
