package io.creditstream.operators.core.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks of the hashed (state, action) features of the implicit PRM. */
class PrmFeaturizerTest {

    @Test
    void countsActionNgramsStateCrossesAndObservationCrosses() {
        PrmParams params = PrmParams.defaults().withNgram(2).withHashBits(30);
        PrmFeaturizer featurizer = new PrmFeaturizer(params);

        FeatureVector phi =
                featurizer.featurize("s7", List.of("door", "key", "door"), List.of("open", "door"));

        // 3 action n-grams (2 unigrams + 1 bigram), each alone and crossed with the state, plus
        // 2 distinct observation tokens × 2 action unigrams: 10 features, all distinct at 2^30.
        assertThat(phi.size()).isEqualTo(10);
        double total = 0;
        for (int k = 0; k < phi.size(); k++) {
            total += phi.value(k);
            if (k > 0) {
                assertThat(phi.index(k)).isGreaterThan(phi.index(k - 1));
            }
        }
        assertThat(total).isEqualTo(10.0);
        assertThat(featurizer.featurize(null, List.of(), List.of("open", "door")).size())
                .isEqualTo(3);
    }

    @Test
    void hashIsAFixedFunctionOfTheUtf8BytesWithinTheHashSpace() {
        PrmParams params = PrmParams.defaults().withHashBits(18);
        PrmFeaturizer featurizer = new PrmFeaturizer(params);

        // FNV-1a of no bytes is its offset basis; the SplitMix64 finaliser of it is pinned here so
        // that any change of the hash (which would orphan stored weights) fails loudly.
        long basis = 0xcbf29ce484222325L;
        long h = basis;
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        assertThat(PrmFeaturizer.hash64(new byte[0])).isEqualTo(h);
        assertThat(featurizer.bucket("a\u0001move"))
                .isEqualTo(new PrmFeaturizer(params).bucket("a\u0001move"))
                .isEqualTo(
                        (int)
                                (PrmFeaturizer.hash64(
                                                "a\u0001move".getBytes(StandardCharsets.UTF_8))
                                        >>> 46))
                .isBetween(0, (1 << 18) - 1);
        assertThat(featurizer.bucket("é")).isNotEqualTo(featurizer.bucket("e"));
    }

    @Test
    void rejectsBadSettingsNamingTheKey() {
        assertThatThrownBy(() -> PrmParams.defaults().withHashBits(31))
                .hasMessageContaining(PrmParams.KEY_HASH_BITS);
        assertThatThrownBy(() -> PrmParams.defaults().withMaxFeatures(0))
                .hasMessageContaining(PrmParams.KEY_MAX_FEATURES);
        assertThatThrownBy(() -> PrmParams.defaults().withLearningRate(0))
                .hasMessageContaining(PrmParams.KEY_LEARNING_RATE);
        assertThatThrownBy(() -> PrmParams.defaults().withL2(-1))
                .hasMessageContaining(PrmParams.KEY_L2);
        assertThatThrownBy(() -> PrmParams.defaults().withLearningRate(10).withWeightDecay(0.5))
                .hasMessageContaining(PrmParams.KEY_WEIGHT_DECAY);
        assertThatThrownBy(() -> PrmParams.defaults().withNgram(0))
                .hasMessageContaining(PrmParams.KEY_NGRAM);
    }
}
