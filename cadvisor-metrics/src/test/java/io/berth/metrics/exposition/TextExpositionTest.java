package io.berth.metrics.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextExpositionTest {

  @Test
  void formatsFloatsLikeGo() {
    assertThat(GoFloat.format(0)).isEqualTo("0");
    assertThat(GoFloat.format(1)).isEqualTo("1");
    assertThat(GoFloat.format(516096)).isEqualTo("516096");
    assertThat(GoFloat.format(67108864)).isEqualTo("6.7108864e+07");
    assertThat(GoFloat.format(1.426203694e9)).isEqualTo("1.426203694e+09");
    assertThat(GoFloat.format(0.74634815)).isEqualTo("0.74634815");
    assertThat(GoFloat.format(7e-9)).isEqualTo("7e-09");
    assertThat(GoFloat.format(0.0001)).isEqualTo("0.0001");
    assertThat(GoFloat.format(-2.5)).isEqualTo("-2.5");
    assertThat(GoFloat.format(123456)).isEqualTo("123456");
    assertThat(GoFloat.format(1234567)).isEqualTo("1.234567e+06");
    assertThat(GoFloat.format(Double.NaN)).isEqualTo("NaN");
    assertThat(GoFloat.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(GoFloat.format(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(GoFloat.format(9.223372036854775807e18)).isEqualTo("9.223372036854776e+18");
  }

  @Test
  void escapesLabelValuesAndSortsNames() {
    assertThat(Labels.of("pod", "a\"b", "container", "c\\d", "id", "x\ny"))
        .isEqualTo("{container=\"c\\\\d\",id=\"x\\ny\",pod=\"a\\\"b\"}");
    assertThat(Labels.of()).isEmpty();
  }

  @Test
  void writesOneHelpAndTypePerFamilySorted() {
    TextExposition out = new TextExposition();
    MetricFamily b = new MetricFamily("b_total", "B with \\ and\nnewline", MetricType.COUNTER);
    MetricFamily a = new MetricFamily("a", "A \"quoted\"", MetricType.GAUGE);
    out.add(b, Labels.of("x", "2"), 2, 1000);
    out.add(b, Labels.of("x", "1"), 1, -1);
    out.add(a, "", 0.5, -1);
    assertThat(out.render())
        .isEqualTo(
            "# HELP a A \"quoted\"\n"
                + "# TYPE a gauge\n"
                + "a 0.5\n"
                + "# HELP b_total B with \\\\ and\\nnewline\n"
                + "# TYPE b_total counter\n"
                + "b_total{x=\"1\"} 1\n"
                + "b_total{x=\"2\"} 2 1000\n");
  }

  @Test
  void rejectsConflictingFamilies() {
    TextExposition out = new TextExposition();
    out.add(new MetricFamily("a", "one", MetricType.GAUGE), "", 1, -1);
    assertThatThrownBy(() -> out.add(new MetricFamily("a", "two", MetricType.GAUGE), "", 1, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a");
  }

  @Test
  void resolvesDeviceNamesFromSysfs() {
    DeviceNames names = DeviceNames.sysfs(io.berth.metrics.Fixtures.resource("sys-fixtures"));
    assertThat(names.name(254, 0)).isEqualTo("/dev/vda");
    assertThat(names.name(8, 16)).isEqualTo("8:16");
  }
}
