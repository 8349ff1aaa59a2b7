package io.berth.agent.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.agent.kuberuntime.ImageGc;
import io.berth.agent.kuberuntime.ImageGcPolicy;
import io.berth.cri.Container;
import io.berth.cri.ContainerFilter;
import io.berth.cri.CriException;
import io.berth.cri.CriNotFoundException;
import io.berth.cri.CriUnavailableException;
import io.berth.cri.FilesystemUsage;
import io.berth.cri.Image;
import io.berth.cri.ImageService;
import io.berth.cri.ImageSpec;
import io.berth.cri.RuntimeService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's image garbage collector ({@code realImageGCManager.GarbageCollect}), run every
 * {@link ImageGcPolicy#PERIOD} by berth: lists the runtime's images and containers, asks {@link
 * ImageGc} what to remove, and removes it through the CRI, by age first, then by space until enough
 * bytes are freed. The image filesystem is the one the runtime reports in {@code ImageFsInfo}, its
 * capacity and available bytes from {@code statvfs} (the kubelet's cAdvisor figures).
 *
 * <p>Beyond the kubelet of today: the runtime's sandbox image (from containerd's verbose {@code
 * Status}) counts as in use, as it did in the kubelet before runtimes pinned it. containerd 1.6
 * does not pin it, and removing it would leave the node unable to start a pod without a registry.
 *
 * <p>Thread safety: {@link #collect()} runs on one timer thread.
 */
public final class ImageGarbageCollector {
  private static final Logger log = LoggerFactory.getLogger(ImageGarbageCollector.class);

  private final Supplier<RuntimeService> runtime;
  private final Supplier<ImageService> images;
  private final ImageGc gc;
  private final ObjectMapper json;
  private final Clock clock;
  private final Counter byAge;
  private final Counter bySpace;

  public ImageGarbageCollector(
      Supplier<RuntimeService> runtime,
      Supplier<ImageService> images,
      ImageGcPolicy policy,
      ObjectMapper json,
      MeterRegistry registry,
      Clock clock) {
    this.runtime = runtime;
    this.images = images;
    this.gc = new ImageGc(policy, clock.instant());
    this.json = json;
    this.clock = clock;
    this.byAge = removedCounter(registry, "age");
    this.bySpace = removedCounter(registry, "space");
  }

  private static Counter removedCounter(MeterRegistry registry, String reason) {
    return Counter.builder("berth_image_garbage_collected")
        .description("Images removed by image GC, by reason (the kubelet's age or space)")
        .tag("reason", reason)
        .register(registry);
  }

  /** One collection; failures are logged and retried on the next period. */
  public void collect() {
    try {
      collectOnce();
    } catch (CriUnavailableException e) {
      log.debug("image GC waits for the runtime: {}", e.getMessage());
    } catch (CriException | IOException e) {
      log.warn("image GC failed, retrying in the next period: {}", e.getMessage());
    } catch (RuntimeException e) { // keep the periodic task alive
      log.warn("image GC failed, retrying in the next period", e);
    }
  }

  private void collectOnce() throws IOException {
    RuntimeService rt = runtime.get();
    ImageService is = images.get();
    List<Image> listed = is.listImages();
    Set<String> inUse = new HashSet<>();
    for (Container c : rt.listContainers(ContainerFilter.all())) {
      inUse.add(c.imageRef());
    }
    sandboxImage(rt).flatMap(is::imageStatus).ifPresent(i -> inUse.add(i.id()));
    var now = clock.instant();
    gc.detect(listed, inUse, now);
    ImageGc.Plan plan = gc.plan(inUse, imageFs(is), now);

    for (ImageGc.Candidate c : plan.byAge()) {
      if (remove(is, c, "unused for longer than imageMaximumGCAge")) {
        byAge.increment();
      }
    }
    if (plan.bytesToFree() == 0) {
      return;
    }
    log.info(
        "image filesystem usage {}% is at or above the high threshold: freeing {} bytes",
        plan.usagePercent(), plan.bytesToFree());
    long freed = 0;
    for (ImageGc.Candidate c : plan.bySpace()) {
      if (freed >= plan.bytesToFree()) {
        break;
      }
      if (remove(is, c, "to free space")) {
        bySpace.increment();
        freed += c.record().size();
      }
    }
    if (freed < plan.bytesToFree()) {
      log.warn(
          "Failed to garbage collect required amount of images. Attempted to free {} bytes, but"
              + " only found {} bytes eligible to free.",
          plan.bytesToFree(),
          freed);
    }
  }

  private boolean remove(ImageService is, ImageGc.Candidate c, String why) {
    try {
      is.removeImage(ImageSpec.of(c.id()));
      gc.removed(c.id());
      log.info("image GC: removed image {} ({} bytes) {}", c.id(), c.record().size(), why);
      return true;
    } catch (CriNotFoundException e) {
      gc.removed(c.id());
      return false;
    } catch (CriException e) {
      log.warn("image GC: could not remove image {}: {}", c.id(), e.getMessage());
      return false;
    }
  }

  /** The image filesystem's capacity and available bytes, from the runtime's mountpoint. */
  private static ImageGc.FsUsage imageFs(ImageService is) throws IOException {
    List<FilesystemUsage> fss = is.imageFsInfo().imageFilesystems();
    if (fss.isEmpty() || fss.get(0).mountpoint() == null || fss.get(0).mountpoint().isEmpty()) {
      throw new IOException("the runtime reports no image filesystem");
    }
    Path mountpoint = Path.of(fss.get(0).mountpoint());
    FileStore store = Files.getFileStore(mountpoint);
    long capacity = store.getTotalSpace();
    if (capacity == 0) {
      throw new IOException("invalid capacity 0 on image filesystem " + mountpoint);
    }
    return new ImageGc.FsUsage(capacity, store.getUsableSpace());
  }

  /** containerd's {@code sandboxImage}, from the {@code config} of its verbose status. */
  private Optional<String> sandboxImage(RuntimeService rt) {
    String config = rt.status(true).info().get("config");
    if (config == null) {
      return Optional.empty();
    }
    try {
      JsonNode image = json.readTree(config).path("sandboxImage");
      return image.isTextual() && !image.asText().isEmpty()
          ? Optional.of(image.asText())
          : Optional.empty();
    } catch (IOException e) {
      log.debug("image GC: the runtime's config is not JSON: {}", e.getMessage());
      return Optional.empty();
    }
  }
}
