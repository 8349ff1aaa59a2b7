package io.berth.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A small line chart drawn with Java2D and written as PNG through ImageIO (headless, no
 * dependency): linear or log-10 axes, one colour per series, a legend, axis titles.
 *
 * <p>Thread safety: not thread-safe; build, then {@link #write}.
 */
final class LineChart {
  /** One point of a series. */
  record Point(double x, double y) {}

  /** A named series of points, drawn in the order given. */
  record Series(String name, List<Point> points) {}

  private static final Color[] COLORS = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0xff7f0e),
    new Color(0x9467bd),
    new Color(0x8c564b),
    new Color(0x17becf),
    new Color(0x7f7f7f)
  };
  private static final int W = 900;
  private static final int H = 540;
  private static final int LEFT = 80;
  private static final int RIGHT = 30;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;

  private final String title;
  private final String xTitle;
  private final String yTitle;
  private final boolean logY;
  private final List<Series> series = new ArrayList<>();

  LineChart(String title, String xTitle, String yTitle, boolean logY) {
    this.title = title;
    this.xTitle = xTitle;
    this.yTitle = yTitle;
    this.logY = logY;
  }

  LineChart add(Series s) {
    if (!s.points().isEmpty()) {
      series.add(s);
    }
    return this;
  }

  boolean isEmpty() {
    return series.isEmpty();
  }

  void write(Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      draw(g);
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }

  private void draw(Graphics2D g) {
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (Series s : series) {
      for (Point p : s.points()) {
        if (!Double.isFinite(p.y()) || (logY && p.y() <= 0)) {
          continue;
        }
        minX = Math.min(minX, p.x());
        maxX = Math.max(maxX, p.x());
        minY = Math.min(minY, y(p.y()));
        maxY = Math.max(maxY, y(p.y()));
      }
    }
    if (minX > maxX) {
      minX = 0;
      maxX = 1;
      minY = 0;
      maxY = 1;
    }
    if (!logY) {
      minY = Math.min(0, minY);
    } else {
      minY = Math.floor(minY);
      maxY = Math.ceil(maxY);
    }
    if (maxX == minX) {
      maxX = minX + 1;
    }
    if (maxY == minY) {
      maxY = minY + 1;
    }
    if (!logY) {
      maxY = niceCeil(maxY);
    }
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.setColor(Color.BLACK);
    g.drawString(title, LEFT, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    FontMetrics fm = g.getFontMetrics();
    // grid and ticks
    int yTicks = logY ? (int) Math.round(maxY - minY) : 5; // log: one line per decade
    for (int i = 0; i <= yTicks; i++) {
      double fy = minY + (maxY - minY) * i / yTicks;
      int py = TOP + ph - (int) Math.round(ph * (double) i / yTicks);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(LEFT, py, LEFT + pw, py);
      g.setColor(Color.DARK_GRAY);
      String label = Format.number(logY ? Math.pow(10, fy) : fy);
      g.drawString(label, LEFT - 6 - fm.stringWidth(label), py + 4);
    }
    for (int i = 0; i <= 5; i++) {
      double fx = minX + (maxX - minX) * i / 5;
      int px = LEFT + (int) Math.round(pw * (double) i / 5);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(px, TOP, px, TOP + ph);
      g.setColor(Color.DARK_GRAY);
      String xl = Format.number(fx);
      g.drawString(xl, px - fm.stringWidth(xl) / 2, TOP + ph + 18);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, pw, ph);
    g.drawString(xTitle, LEFT + pw / 2 - fm.stringWidth(xTitle) / 2, H - 30);
    var old = g.getTransform();
    g.rotate(-Math.PI / 2);
    g.drawString(
        yTitle + (logY ? " (log scale)" : ""), -(TOP + ph / 2) - fm.stringWidth(yTitle) / 2, 18);
    g.setTransform(old);
    // series
    g.setStroke(new BasicStroke(2f));
    int legendWidth = 0;
    for (Series s : series) {
      legendWidth = Math.max(legendWidth, fm.stringWidth(s.name()));
    }
    int legendY = TOP + 16;
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      g.setColor(COLORS[i % COLORS.length]);
      int lastX = -1;
      int lastY = -1;
      for (Point p : s.points()) {
        if (!Double.isFinite(p.y()) || (logY && p.y() <= 0)) {
          continue;
        }
        int px = LEFT + (int) Math.round(pw * (p.x() - minX) / (maxX - minX));
        int py = TOP + ph - (int) Math.round(ph * (y(p.y()) - minY) / (maxY - minY));
        if (lastX >= 0) {
          g.drawLine(lastX, lastY, px, py);
        }
        if (s.points().size() <= 12) {
          g.fillOval(px - 3, py - 3, 7, 7);
        }
        lastX = px;
        lastY = py;
      }
    }
    g.setColor(new Color(255, 255, 255, 220)); // the legend stays readable over the lines
    g.fillRect(LEFT + 6, TOP + 4, legendWidth + 34, 16 * series.size() + 4);
    for (int i = 0; i < series.size(); i++) {
      g.setColor(COLORS[i % COLORS.length]);
      g.fillRect(LEFT + 12, legendY - 9, 14, 4);
      g.setColor(Color.BLACK);
      g.drawString(series.get(i).name(), LEFT + 32, legendY - 3);
      legendY += 16;
    }
  }

  private double y(double v) {
    return logY ? Math.log10(v) : v;
  }

  private static double niceCeil(double v) {
    if (v <= 0) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * mag >= v) {
        return step * mag;
      }
    }
    return 10 * mag;
  }
}
