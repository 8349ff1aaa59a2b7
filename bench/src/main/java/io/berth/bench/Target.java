package io.berth.bench;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Locale;

/** What a figure is held to, as the issue states it. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Target.AtMost.class, name = "atMost"),
  @JsonSubTypes.Type(value = Target.AtLeast.class, name = "atLeast"),
  @JsonSubTypes.Type(value = Target.RatioAtMost.class, name = "ratioAtMost")
})
public sealed interface Target {
  boolean holds(Figure f);

  String text();

  /** berth's value is at most {@code limit} (in the figure's unit). */
  record AtMost(double limit, String unit) implements Target {
    @Override
    public boolean holds(Figure f) {
      return f.berth() <= limit;
    }

    @Override
    public String text() {
      return String.format(Locale.ROOT, "≤ %s %s", Format.number(limit), unit);
    }
  }

  /** berth's value is at least {@code limit} (in the figure's unit). */
  record AtLeast(double limit, String unit) implements Target {
    @Override
    public boolean holds(Figure f) {
      return f.berth() >= limit;
    }

    @Override
    public String text() {
      return String.format(Locale.ROOT, "≥ %s %s", Format.number(limit), unit);
    }
  }

  /** berth / anchor is at most {@code limit}; fails when there is no anchor. */
  record RatioAtMost(double limit) implements Target {
    @Override
    public boolean holds(Figure f) {
      return !Double.isNaN(f.ratio()) && f.ratio() <= limit;
    }

    @Override
    public String text() {
      return String.format(Locale.ROOT, "≤ %s× anchor", Format.number(limit));
    }
  }

  static Target atMost(double limit, String unit) {
    return new AtMost(limit, unit);
  }

  static Target atLeast(double limit, String unit) {
    return new AtLeast(limit, unit);
  }

  static Target ratioAtMost(double limit) {
    return new RatioAtMost(limit);
  }
}
