/**
 * What the job accepts: the rules a decoded step must pass ({@link StepValidator}) and the reasons
 * a record is dead-lettered ({@link DeadLetterReason}), whichever stage refuses it.
 */
package io.creditstream.operators.core.input;
