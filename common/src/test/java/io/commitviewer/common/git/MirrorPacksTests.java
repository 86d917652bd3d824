package io.commitviewer.common.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The geometric split of a mirror's packs (largest first): which are kept, and from where on they are combined. */
class MirrorPacksTests {

    @Test
    void aPackAtLeastTwiceAllSmallerOnesTogetherIsKeptTheRestCombined() {
        assertThat(Mirror.keptGeometrically(new long[] {1000, 10, 10, 10})).isEqualTo(1); // one base, three fetches
        assertThat(Mirror.keptGeometrically(new long[] {1000, 300, 10, 10})).isEqualTo(2);
        assertThat(Mirror.keptGeometrically(new long[] {9, 3, 1})).as("a series already").isEqualTo(3);
    }

    @Test
    void packsOfSimilarSizesAreAllCombined() {
        assertThat(Mirror.keptGeometrically(new long[] {64, 32, 16, 8, 4, 2, 1})).isZero();
        assertThat(Mirror.keptGeometrically(new long[] {5, 5, 5})).isZero();
        assertThat(Mirror.keptGeometrically(new long[0])).isZero();
    }
}
