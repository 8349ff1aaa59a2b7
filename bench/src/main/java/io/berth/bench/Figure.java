package io.berth.bench;

import java.util.List;

/**
 * One measured figure: berth's value and the anchor's, measured in the same run, in {@code unit},
 * with the targets it is held to (all must hold for "met"). {@code anchor} is NaN when the figure
 * has none; {@code anchorName} says what the anchor is.
 */
public record Figure(
    String id,
    String label,
    String unit,
    double berth,
    double anchor,
    String anchorName,
    List<Target> targets) {

  public Figure {
    targets = List.copyOf(targets);
  }

  /** A figure without targets. */
  public static Figure of(
      String id, String label, String unit, double berth, double anchor, String anchorName) {
    return new Figure(id, label, unit, berth, anchor, anchorName, List.of());
  }

  public Figure withTargets(Target... t) {
    return new Figure(id, label, unit, berth, anchor, anchorName, List.of(t));
  }

  /** berth / anchor, NaN without an anchor. */
  public double ratio() {
    return Double.isNaN(anchor) || anchor == 0 ? Double.NaN : berth / anchor;
  }

  /** Whether every target holds; empty when the figure has no target. */
  public java.util.Optional<Boolean> met() {
    if (targets.isEmpty()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(targets.stream().allMatch(t -> t.holds(this)));
  }
}
