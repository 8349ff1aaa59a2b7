package io.berth.metrics;

import java.util.Optional;

/**
 * The current collection and the one before it (for rates such as the Summary API's {@code
 * usageNanoCores}).
 */
public record Scrape(StatsSnapshot current, Optional<StatsSnapshot> previous) {}
