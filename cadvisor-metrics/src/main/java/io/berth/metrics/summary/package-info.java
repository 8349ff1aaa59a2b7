/**
 * The kubelet Summary API ({@code /stats/summary}, {@code stats/v1alpha1}): records named after the
 * kubelet's JSON fields ({@link io.berth.metrics.summary.Summary}), a builder from a {@link
 * io.berth.metrics.Scrape} that derives {@code usageNanoCores} from the previous collection, and
 * the Jackson serialization.
 */
package io.berth.metrics.summary;
