package io.berth.cri;

import java.util.Map;

/** An image reference (name, tag, digest or image id) with optional annotations. */
public record ImageSpec(String image, Map<String, String> annotations) {
  public ImageSpec {
    image = Copies.str(image);
    annotations = Copies.map(annotations);
  }

  public static ImageSpec of(String image) {
    return new ImageSpec(image, Map.of());
  }
}
