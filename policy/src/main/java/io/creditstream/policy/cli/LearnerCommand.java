package io.creditstream.policy.cli;

import io.creditstream.policy.metrics.LearnerMetrics;
import io.creditstream.policy.service.LearnerService;
import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.policy.service.Maze;
import io.creditstream.policy.service.OffsetPastEnd;
import io.creditstream.policy.training.UpdateOptions;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.KafkaAccessErrors.Operation;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.schemas.preflight.KafkaPreflight.RequiredAccess;
import io.creditstream.schemas.trust.SigningKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code learner}: trains the policy on learner.batches and publishes policy.snapshots. */
@Command(
        name = PolicyProcess.LEARNER,
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the maze policy (DJL, CPU) on the advantage batches the job writes to"
                    + " learner.batches, and publish a policy snapshot after every"
                    + " --snapshot-every updates: the weights to --store, the announcement to"
                    + " --snapshots-topic.",
            "Reads read_committed with its own offsets: they are saved in --checkpoint together"
                    + " with the weights and the Adam state, so a restart resumes exactly where the"
                    + " last update left off (each record is applied once).",
            "The first start creates the network from --seed and publishes version 0, which fleets"
                    + " wait for.",
            "Before it starts: --store and the checkpoint's directory must be writable (else exit"
                    + " 5), and a broker must answer within --kafka-connect-timeout (else exit 4).",
            "",
            "Example: learner --bootstrap-servers localhost:9092 --maze small --batch-records 512"
        })
final class LearnerCommand implements Callable<Integer> {
    @Mixin KafkaOptions kafka;

    @Option(
            names = PolicyProcess.BATCHES_TOPIC,
            defaultValue = Topics.BATCHES,
            paramLabel = "TOPIC",
            description = "Advantage batch topic (default: ${DEFAULT-VALUE}).")
    String batchesTopic;

    @Option(
            names = PolicyProcess.STORE,
            defaultValue = "policy-store",
            paramLabel = "DIR",
            description =
                    "Directory the snapshot weights are published to; fleets read them from here"
                            + " (default: ${DEFAULT-VALUE}).")
    Path store;

    @Option(
            names = PolicyProcess.CHECKPOINT,
            paramLabel = "FILE",
            description =
                    "Learner checkpoint: weights, Adam state, update count, offsets (default:"
                            + " <store>/<experiment>/learner.ckpt).")
    Path checkpoint;

    @Option(
            names = PolicyProcess.MAZE,
            defaultValue = PolicyProcess.MAZE_STANDARD,
            paramLabel = "standard|small|spread|graded",
            converter = Converters.MazeConverter.class,
            description =
                    "Maze the network reads: standard (7x11), small (3x5), spread (7x11,"
                            + " tasks in five step-limit tiers) or graded (7x11, four looser tiers)"
                            + " (default: ${DEFAULT-VALUE}).")
    Maze maze;

    @Option(
            names = "--hidden",
            defaultValue = "128",
            paramLabel = "UNITS",
            description = "Units per hidden layer of a new network (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            defaultValue = "1e-3",
            description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "4",
            description = "Passes over each update's samples (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--minibatch",
            defaultValue = "256",
            paramLabel = "SAMPLES",
            description = "Samples per optimizer step (default: ${DEFAULT-VALUE}).")
    int minibatch;

    @Option(
            names = "--clip",
            defaultValue = "0.2",
            paramLabel = "EPSILON",
            description = "PPO ratio clip: [1-e, 1+e] (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(
            names = "--entropy",
            defaultValue = "0.01",
            paramLabel = "COEF",
            description = "Entropy bonus weight (default: ${DEFAULT-VALUE}).")
    double entropy;

    @Option(
            names = "--max-grad-norm",
            paramLabel = "NORM",
            description =
                    "Clip the global gradient norm to this; 0 = no clipping (default: "
                            + UpdateOptions.DEFAULT_MAX_GRAD_NORM
                            + ").")
    Double maxGradNorm;

    @Option(
            names = "--target-kl",
            paramLabel = "KL",
            description =
                    "Stop an update's epochs early once a minibatch's KL from the policy the"
                            + " update started from exceeds 1.5x KL, e.g. 0.02 (default: off).")
    Double targetKl;

    @Option(
            names = "--importance-cap",
            paramLabel = "C",
            description =
                    "Correct for rollouts played by older policies: clip the ratio against the"
                            + " policy at the start of each update and weight each sample by"
                            + " min(pi_start/pi_behaviour, C), C >= 1, e.g. 2 (default: off, the"
                            + " ratio is taken against the behaviour log-prob).")
    Double importanceCap;

    @Option(
            names = "--batch-records",
            defaultValue = "2048",
            paramLabel = "SAMPLES",
            description =
                    "Samples per update; an update takes whole batches, at least this many"
                            + " (default: ${DEFAULT-VALUE}).")
    int batchRecords;

    @Option(
            names = "--snapshot-every",
            defaultValue = "1",
            paramLabel = "UPDATES",
            description = "Publish a snapshot every this many updates (default: ${DEFAULT-VALUE}).")
    int snapshotEvery;

    @Option(
            names = PolicyProcess.SEED,
            defaultValue = "1",
            paramLabel = "SEED",
            description =
                    "Seed of a new network's weights and of the minibatch shuffle (default:"
                            + " ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--on-offset-past-end",
            defaultValue = "fail",
            paramLabel = "fail|earliest|latest",
            converter = Converters.OffsetPastEndConverter.class,
            description =
                    "When the checkpoint's offset for a partition of --batches-topic lies past the"
                            + " partition's end (the topic was deleted and re-created, or"
                            + " truncated): fail refuses to start; earliest trains on everything"
                            + " now in the partition; latest skips it and trains only on batches"
                            + " written from now on (default: ${DEFAULT-VALUE}).")
    OffsetPastEnd onOffsetPastEnd;

    @Option(
            names = "--max-pending-samples",
            paramLabel = "SAMPLES",
            description =
                    "Stop reading while this many samples are read and not yet trained on (the"
                            + " rest of a split group is still read, since an update needs all its"
                            + " parts); at least --batch-records (default: 4 x --batch-records).")
    Integer maxPendingSamples;

    @Option(
            names = PolicyProcess.SIGNING_KEY,
            paramLabel = "FILE",
            description =
                    "Ed25519 private key (PKCS#8, PEM or DER) every snapshot is signed with; give"
                            + " its public key to the fleet (--snapshot-public-key) and the job"
                            + " (credit.snapshot-public-key). Without it snapshots are unsigned"
                            + " and anyone who can write the topic moves the policy (one warning).")
    Path signingKey;

    @Option(
            names = "--max-version-jump",
            defaultValue = "1000",
            paramLabel = "VERSIONS",
            description =
                    "At start-up, ignore (and count) unsigned snapshots of the experiment on the"
                            + " topic more than this far above the newest one believed (default:"
                            + " ${DEFAULT-VALUE}).")
    long maxVersionJump;

    @SuppressWarnings("deprecation")
    @Option(
            names = "--generate-signing-key",
            paramLabel = "DIR",
            // help = true: the only flag needed, so the required Kafka flags are not asked for.
            help = true,
            description =
                    "Write a new Ed25519 key pair into DIR (snapshot-signing.key, owner-only, and"
                            + " snapshot-signing.pub) and exit; never overwrites a key.")
    Path generateSigningKey;

    @Mixin RunOptions run;

    @Mixin MetricsOptions metrics;

    @Spec CommandSpec spec;

    /** The settings the flags describe. */
    LearnerSettings settings() {
        LearnerSettings.Builder builder =
                LearnerSettings.builder(kafka.bootstrapServers)
                        .experimentId(kafka.experiment)
                        .batchesTopic(batchesTopic)
                        .snapshotsTopic(kafka.snapshotsTopic)
                        .storeDir(store)
                        .checkpointFile(checkpoint)
                        .maze(maze)
                        .hiddenSize(hidden)
                        .learningRate(learningRate)
                        .epochs(epochs)
                        .minibatchSize(minibatch)
                        .clipEpsilon(clip)
                        .entropyCoefficient(entropy)
                        .batchRecords(batchRecords)
                        .snapshotEvery(snapshotEvery)
                        .signingKey(signingKey)
                        .maxVersionJump(maxVersionJump)
                        .seed(seed)
                        .kafkaTimeout(kafka.kafkaTimeout)
                        .kafkaSecurity(kafka.security())
                        .topicReplication(kafka.topicReplication())
                        .onOffsetPastEnd(onOffsetPastEnd);
        if (maxGradNorm != null) {
            builder.maxGradNorm(maxGradNorm);
        }
        if (importanceCap != null) {
            builder.importanceCap(importanceCap);
        }
        if (targetKl != null) {
            builder.targetKl(targetKl);
        }
        if (maxPendingSamples != null) {
            builder.maxPendingSamples(maxPendingSamples);
        }
        return builder.build();
    }

    /**
     * The learner's grants: Read on the batches (it assigns partitions itself, so no group), Read
     * and Write on the snapshots.
     */
    static List<RequiredAccess> requiredAccess(LearnerSettings settings) {
        return List.of(
                RequiredAccess.topic(settings.batchesTopic(), Operation.READ),
                RequiredAccess.topic(settings.snapshotsTopic(), Operation.READ),
                RequiredAccess.topic(settings.snapshotsTopic(), Operation.WRITE));
    }

    @Override
    public Integer call() throws Exception {
        if (generateSigningKey != null) {
            SigningKeys.KeyFiles files = SigningKeys.generate(generateSigningKey);
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    "private key %s (learner --signing-key)%npublic key %s (fleet"
                            + " --snapshot-public-key, job -Dcredit.snapshot-public-key=...)%n",
                    files.privateKey().toAbsolutePath(), files.publicKey().toAbsolutePath());
            out.flush();
            return 0;
        }
        run.exitWithParent(spec.commandLine().getErr());
        LearnerSettings settings = settings();
        var duration = run.duration();
        var interval = run.progressInterval();
        FilePreflight.writableDirectory(settings.storeDir(), "--store");
        FilePreflight.writableFile(settings.checkpointFile(), "--checkpoint");
        kafka.checkReachable(settings.kafkaSecurity(), requiredAccess(settings));
        PrintWriter out = spec.commandLine().getOut();
        try (LearnerService learner = LearnerService.start(settings);
                var served =
                        metrics.start(
                                        "learner " + settings.experimentId(),
                                        registry ->
                                                LearnerMetrics.register(
                                                        registry, learner::progress),
                                        out)
                                .orElse(null)) {
            out.printf(
                    "learner %s: version %d ready; batches from %s, snapshots to %s and %s,"
                            + " checkpoint %s%n",
                    settings.experimentId(),
                    learner.version(),
                    settings.batchesTopic(),
                    settings.snapshotsTopic(),
                    settings.storeDir().toAbsolutePath(),
                    settings.checkpointFile().toAbsolutePath());
            out.flush();
            ProgressLoop.run(
                    out,
                    "learner " + settings.experimentId(),
                    interval,
                    () -> learner.progress().line(),
                    learner::stop,
                    () -> {
                        if (duration != null) {
                            learner.runFor(duration);
                        } else {
                            learner.run();
                        }
                    });
        }
        return 0;
    }
}
