/**
 * The thin Flink functions that adapt the kernels of {@code io.creditstream.operators.core}, in
 * packages named like the kernels' ones: input, assembly, credit, prm, batch and budget.
 *
 * <p>This package holds what several of them share ({@link CreditMetrics}, {@link DeadLetters},
 * {@link StateTtl}) and two state types that must keep their class names: {@link EncodedTrajectory}
 * and {@link OpenCounts} are kept in checkpoints, whose serializer snapshots record a POJO's class
 * name, so moving them would make earlier checkpoints and savepoints unrestorable ({@code
 * StateTypesTest} pins every such name).
 */
package io.creditstream.operators.flink;
