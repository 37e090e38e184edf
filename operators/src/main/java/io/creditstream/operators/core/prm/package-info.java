/**
 * OPRL (docs/ALGORITHMS.md §3): the in-stream implicit PRM ({@link ImplicitPrm}), its features and
 * settings, the combination rule ({@link OprlAdvantage}) and {@link OprlCreditAssigner}, which
 * computes one group's credit with them.
 */
package io.creditstream.operators.core.prm;
