package dev.lethe.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The name extraction the metric-coverage test relies on: it must neither miss nor invent names. */
class PromQlNamesTest {

    @Test
    void functionsAggregationsLabelsAndDurationsAreNotMetricNames() {
        assertThat(OpsFiles.metricNames(
                "sum by (outcome, instance) (rate(lethe_requests_total{outcome=\"escalated\", job=~\"$job\"}[$__rate_interval]))"))
                .containsExactly("lethe_requests_total");
    }

    @Test
    void bothSidesOfABinaryOperationAndRecordingRulesAreFound() {
        assertThat(OpsFiles.metricNames("lethe:oldest_pending_request_deadline_ratio > scalar(lethe:erasure_deadline_warning_share)"))
                .containsExactly("lethe:erasure_deadline_warning_share", "lethe:oldest_pending_request_deadline_ratio");
        assertThat(OpsFiles.metricNames("(min_over_time(lethe_pending_requests[2h]) > 0) and on (instance) (changes(lethe_model_version[2h]) == 0)"))
                .containsExactly("lethe_model_version", "lethe_pending_requests");
    }

    @Test
    void numbersKeywordsAndTemplateVariablesAreIgnored() {
        assertThat(OpsFiles.metricNames("max(lethe_erasure_deadline_seconds{instance=~\"${instance}\"}) * 0.1 + 1e3 offset 5m"))
                .containsExactly("lethe_erasure_deadline_seconds");
        assertThat(OpsFiles.metricNames("vector(0.5)")).isEmpty();
        assertThat(OpsFiles.metricNames("histogram_quantile(0.95, sum by (le) (rate(lethe_request_latency_seconds_bucket[5m])))"))
                .containsExactly("lethe_request_latency_seconds_bucket");
    }

    @Test
    void theScrapeParserReadsSeriesNamesNotCommentsOrLabels() {
        String scrape = "# HELP lethe_device Device\n# TYPE lethe_device gauge\nlethe_device{device=\"cpu\",} 1.0\n"
                + "process_uptime_seconds 13.7\n";
        assertThat(OpsFiles.scrapedNames(scrape)).containsExactly("lethe_device", "process_uptime_seconds");
    }
}
