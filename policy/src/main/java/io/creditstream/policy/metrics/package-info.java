/**
 * The learner's and the fleet's Prometheus metrics (the 1.x Java client): what each process
 * registers, the HTTP endpoint that serves them, and docs/METRICS.md, rendered from these and the
 * job's catalog.
 */
package io.creditstream.policy.metrics;
