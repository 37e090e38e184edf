"""The default topic names and snapshot metric keys, as the Java side's contract defines them.

Each topic name is only a default: the job takes others from its ``topic.*`` options, and every
client here takes a ``topic`` argument.
"""

#: ``StepEvent``s, fleet to job; key: the episode id.
STEPS = "agent.steps"
#: ``AdvantageBatch``es, job (exactly once) to trainer (read_committed); key: the batch id.
BATCHES = "learner.batches"
#: ``DeadLetter``s the job writes for bad input.
DEAD_LETTERS = "agent.steps.dlq"
#: ``BudgetRequest``s, fleet to job; key: the round id.
BUDGET_REQUESTS = "rollout.requests"
#: ``BudgetAllocation``s, job to fleet, one per task of a round; key: the round id.
BUDGET_ANSWERS = "rollout.budget"
#: ``PolicySnapshot``s, trainer to fleet and job; key: the experiment id.
SNAPSHOTS = "policy.snapshots"

ALL = (STEPS, BATCHES, DEAD_LETTERS, BUDGET_REQUESTS, BUDGET_ANSWERS, SNAPSHOTS)

# Keys of PolicySnapshot.metrics. The fleet paces itself by TRAINED_POLICY_VERSION.
LOSS = "loss"
MEAN_RATIO = "mean_ratio"
CLIP_FRACTION = "clip_fraction"
APPROX_KL = "approx_kl"
ENTROPY = "entropy"
GRAD_NORM = "grad_norm"
SAMPLES = "samples"
ON_POLICY_SAMPLES = "on_policy_samples"
OPTIMIZER_STEPS = "optimizer_steps"
PENDING_SAMPLES = "pending_samples"
TRAINED_POLICY_VERSION = "trained_policy_version"
BATCH_RECORDS = "batch_records"
