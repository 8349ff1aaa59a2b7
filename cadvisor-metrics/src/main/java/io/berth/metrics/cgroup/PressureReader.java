package io.berth.metrics.cgroup;

import io.berth.metrics.stats.Pressure;
import io.berth.metrics.stats.PressureStats;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Reads {@code cpu.pressure}, {@code memory.pressure} and {@code io.pressure} of one cgroup. */
final class PressureReader {
  private PressureReader() {}

  static PressureStats read(Path cgroupDir) {
    return read(FileText.ONE_SHOT, cgroupDir);
  }

  static PressureStats read(FileText files, Path cgroupDir) {
    Map<String, Pressure> cpu = CgroupFile.readPressure(files, cgroupDir.resolve("cpu.pressure"));
    Map<String, Pressure> memory =
        CgroupFile.readPressure(files, cgroupDir.resolve("memory.pressure"));
    Map<String, Pressure> io = CgroupFile.readPressure(files, cgroupDir.resolve("io.pressure"));
    if (cpu.isEmpty() && memory.isEmpty() && io.isEmpty()) {
      return PressureStats.NONE;
    }
    return new PressureStats(
        Optional.ofNullable(cpu.get("some")),
        Optional.ofNullable(cpu.get("full")),
        Optional.ofNullable(memory.get("some")),
        Optional.ofNullable(memory.get("full")),
        Optional.ofNullable(io.get("some")),
        Optional.ofNullable(io.get("full")));
  }
}
