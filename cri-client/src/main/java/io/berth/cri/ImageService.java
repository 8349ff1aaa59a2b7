package io.berth.cri;

import java.util.List;
import java.util.Optional;

/**
 * The CRI {@code runtime.v1.ImageService}: list, inspect, pull and remove images.
 *
 * <p>Every method is a blocking call with a deadline (see {@link CriOptions}) and throws a {@link
 * CriException} subtype on failure. Implementations are thread-safe.
 */
public interface ImageService {
  /** All images, or those matching {@code filter} when it is not {@code null}. */
  List<Image> listImages(ImageSpec filter);

  default List<Image> listImages() {
    return listImages(null);
  }

  /** The image, or empty when the runtime does not have it. */
  Optional<Image> imageStatus(ImageSpec image);

  default Optional<Image> imageStatus(String image) {
    return imageStatus(ImageSpec.of(image));
  }

  /**
   * Pulls an image; returns the image reference the runtime resolved it to (an image id or digest).
   * {@code auth} and {@code sandbox} may be {@code null}.
   */
  String pullImage(ImageSpec image, AuthConfig auth, PodSandboxConfig sandbox);

  default String pullImage(String image) {
    return pullImage(ImageSpec.of(image), null, null);
  }

  /** Removes an image; idempotent. */
  void removeImage(ImageSpec image);

  ImageFsInfo imageFsInfo();
}
