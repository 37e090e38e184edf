/** The {@code learner} and {@code fleet} command lines (picocli) over the services. */
package io.creditstream.policy.cli;
