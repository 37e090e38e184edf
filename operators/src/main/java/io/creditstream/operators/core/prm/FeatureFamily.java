package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.config.ConfigNames;
import java.util.EnumSet;
import java.util.Set;

/**
 * The kinds of hashed features the implicit PRM sees for one step ({@code prm.features}).
 * State-independent families learn which actions are good on average; the state-action family is
 * what lets the PRM rank the actions of one state, which is what step credit needs.
 */
public enum FeatureFamily {
    /** Action token n-grams alone: a global preference per action. */
    ACTION("action"),
    /** The state key crossed with each action n-gram: one weight per (state, action). */
    STATE_ACTION("state-action"),
    /** Each distinct observation token crossed with each action token: shared across states. */
    OBSERVATION_ACTION("observation-action");

    private final String configName;

    FeatureFamily(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /**
     * Parses a comma-separated list of family names; blanks around names are ignored.
     *
     * @throws IllegalArgumentException naming the bad entry and the accepted names, or when the
     *     list is empty
     */
    public static Set<FeatureFamily> parseList(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    PrmParams.KEY_FEATURES
                            + " must name at least one feature family; accepted values: "
                            + ConfigNames.accepted(values(), FeatureFamily::configName));
        }
        EnumSet<FeatureFamily> families = EnumSet.noneOf(FeatureFamily.class);
        for (String name : value.split(",")) {
            families.add(
                    ConfigNames.parse(
                            PrmParams.KEY_FEATURES, name, values(), FeatureFamily::configName));
        }
        return families;
    }

    /** The configuration form of a set, in declaration order. */
    public static String toConfig(Set<FeatureFamily> families) {
        StringBuilder sb = new StringBuilder();
        for (FeatureFamily family : values()) {
            if (families.contains(family)) {
                sb.append(sb.length() == 0 ? "" : ",").append(family.configName());
            }
        }
        return sb.toString();
    }
}
