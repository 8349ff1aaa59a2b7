package io.berth.metrics.exposition;

/**
 * Name, help and type of one metric family.
 *
 * @param name metric name
 * @param help HELP text (escaped when written)
 * @param type counter or gauge
 */
public record MetricFamily(String name, String help, MetricType type) {}
