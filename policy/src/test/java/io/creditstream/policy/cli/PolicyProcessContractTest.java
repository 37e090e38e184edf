package io.creditstream.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.policy.service.Maze;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@link PolicyProcess} is how the tools module (the closed-loop demo) starts this module's
 * processes without depending on it: the main class, the commands, the flags and the maze names
 * written there must be this command line's.
 */
class PolicyProcessContractTest {

    @Test
    void theMainClassIsPolicyCliWithAMainMethod() throws Exception {
        assertThat(PolicyProcess.MAIN_CLASS).isEqualTo(PolicyCli.class.getName());
        Method main = Class.forName(PolicyProcess.MAIN_CLASS).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers())).isTrue();
        assertThat(Modifier.isPublic(main.getModifiers())).isTrue();
    }

    @Test
    void theLauncherStartsTheSameMainClass() throws Exception {
        Path launcher = Path.of("..", "creditstream");
        assertThat(launcher).exists();
        assertThat(Files.readString(launcher, StandardCharsets.UTF_8))
                .contains(PolicyProcess.MAIN_CLASS)
                .contains(PolicyProcess.JVM_OPTIONS);
    }

    @Test
    void everyFlagIsAnOptionOfItsCommands() {
        CommandSpec learner = command(PolicyProcess.LEARNER);
        CommandSpec fleet = command(PolicyProcess.FLEET);
        for (String flag : PolicyProcess.COMMON_FLAGS) {
            assertOption(learner, flag);
            assertOption(fleet, flag);
        }
        PolicyProcess.LEARNER_FLAGS.forEach(flag -> assertOption(learner, flag));
        PolicyProcess.FLEET_FLAGS.forEach(flag -> assertOption(fleet, flag));
        assertThat(fleet.findOption(PolicyProcess.BUDGET).arity().max())
                .as("%s is a switch", PolicyProcess.BUDGET)
                .isZero();
    }

    @Test
    void theTopicFlagsDefaultToTheSharedTopicNames() {
        CommandSpec learner = command(PolicyProcess.LEARNER);
        CommandSpec fleet = command(PolicyProcess.FLEET);
        assertThat(learner.findOption(PolicyProcess.BATCHES_TOPIC).defaultValue())
                .isEqualTo(Topics.BATCHES);
        assertThat(learner.findOption(PolicyProcess.SNAPSHOTS_TOPIC).defaultValue())
                .isEqualTo(Topics.SNAPSHOTS);
        assertThat(fleet.findOption(PolicyProcess.SNAPSHOTS_TOPIC).defaultValue())
                .isEqualTo(Topics.SNAPSHOTS);
        assertThat(fleet.findOption(PolicyProcess.STEPS_TOPIC).defaultValue())
                .isEqualTo(Topics.STEPS);
        assertThat(fleet.findOption(PolicyProcess.REQUESTS_TOPIC).defaultValue())
                .isEqualTo(Topics.BUDGET_REQUESTS);
        assertThat(fleet.findOption(PolicyProcess.BUDGET_TOPIC).defaultValue())
                .isEqualTo(Topics.BUDGET_ANSWERS);
    }

    @Test
    void theMazeNamesAreTheMazes() {
        List<String> names = new ArrayList<>();
        for (Maze maze : Maze.values()) {
            names.add(maze.cliName());
        }
        assertThat(PolicyProcess.MAZES).containsExactlyInAnyOrderElementsOf(names);
        for (String name : PolicyProcess.MAZES) {
            assertThat(Maze.parse(name).cliName()).isEqualTo(name);
        }
    }

    @Test
    void theDemosCommandLinesParse() {
        List<String> common =
                List.of(
                        PolicyProcess.BOOTSTRAP_SERVERS,
                        "localhost:9092",
                        PolicyProcess.EXPERIMENT,
                        "demo",
                        PolicyProcess.SNAPSHOTS_TOPIC,
                        "s",
                        PolicyProcess.MAZE,
                        PolicyProcess.MAZE_SMALL,
                        PolicyProcess.SEED,
                        "3");
        List<String> learner = new ArrayList<>(List.of(PolicyProcess.LEARNER));
        learner.addAll(common);
        learner.addAll(
                List.of(
                        PolicyProcess.BATCHES_TOPIC,
                        "b",
                        PolicyProcess.STORE,
                        "store",
                        PolicyProcess.CHECKPOINT,
                        "learner.ckpt"));
        List<String> fleet = new ArrayList<>(List.of(PolicyProcess.FLEET));
        fleet.addAll(common);
        fleet.addAll(
                List.of(
                        PolicyProcess.STEPS_TOPIC,
                        "steps",
                        PolicyProcess.WORKERS,
                        "2",
                        PolicyProcess.TASKS,
                        "4",
                        PolicyProcess.GROUP_SIZE,
                        "8",
                        PolicyProcess.MAX_EPISODES,
                        "100",
                        PolicyProcess.RATE,
                        "0.0",
                        PolicyProcess.MAX_STEPS_AHEAD,
                        "4096",
                        PolicyProcess.BUDGET,
                        PolicyProcess.REQUESTS_TOPIC,
                        "r",
                        PolicyProcess.BUDGET_TOPIC,
                        "a"));

        CommandLine.ParseResult parsedLearner =
                new CommandLine(new PolicyCli()).parseArgs(learner.toArray(String[]::new));
        CommandLine.ParseResult parsedFleet =
                new CommandLine(new PolicyCli()).parseArgs(fleet.toArray(String[]::new));

        LearnerCommand learnerCommand =
                (LearnerCommand) parsedLearner.subcommand().commandSpec().userObject();
        assertThat(learnerCommand.settings().batchesTopic()).isEqualTo("b");
        assertThat(learnerCommand.settings().snapshotsTopic()).isEqualTo("s");
        FleetCommand fleetCommand =
                (FleetCommand) parsedFleet.subcommand().commandSpec().userObject();
        assertThat(fleetCommand.settings().stepsTopic()).isEqualTo("steps");
        assertThat(fleetCommand.settings().maxStepsAhead()).isEqualTo(4096);
        assertThat(fleetCommand.settings().budget())
                .hasValueSatisfying(
                        budget -> {
                            assertThat(budget.requestsTopic()).isEqualTo("r");
                            assertThat(budget.budgetTopic()).isEqualTo("a");
                        });
    }

    private static CommandSpec command(String name) {
        CommandLine command = new CommandLine(new PolicyCli()).getSubcommands().get(name);
        assertThat(command).as("command %s", name).isNotNull();
        return command.getCommandSpec();
    }

    private static void assertOption(CommandSpec command, String flag) {
        OptionSpec option = command.findOption(flag);
        assertThat(option).as("%s %s", command.name(), flag).isNotNull();
        assertThat(option.names()).as("%s %s", command.name(), flag).contains(flag);
    }
}
