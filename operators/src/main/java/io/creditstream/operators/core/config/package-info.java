/** How the kernels' enums read their kebab-case configuration names ({@link ConfigNames}). */
package io.creditstream.operators.core.config;
