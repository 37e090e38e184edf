/**
 * How the kernels read their configuration: the enums' kebab-case names ({@link ConfigNames}) and
 * the checks of the settings records ({@link ConfigChecks}).
 */
package io.creditstream.operators.core.config;
