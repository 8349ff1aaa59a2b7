package io.berth.metrics.stats;

/**
 * One PSI line ({@code some} or {@code full}) of a {@code *.pressure} file.
 *
 * @param avg10 percentage of time stalled over 10 s
 * @param avg60 over 60 s
 * @param avg300 over 300 s
 * @param totalMicros cumulative stall time in microseconds
 */
public record Pressure(double avg10, double avg60, double avg300, long totalMicros) {}
