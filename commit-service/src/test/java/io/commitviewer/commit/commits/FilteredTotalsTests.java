package io.commitviewer.commit.commits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FilteredTotalsTests {

    private static final CommitQueries.Filter ADA = new CommitQueries.Filter("ada@example.com", null, null, null);

    @Test
    void aFilterIsCountedOncePerFetchOfItsProject() {
        FilteredTotals totals = new FilteredTotals(10);
        AtomicInteger counts = new AtomicInteger();

        long first = totals.get(new FilteredTotals.Key("p1", "fetch-1", ADA), () -> 10 + counts.incrementAndGet());
        long again = totals.get(new FilteredTotals.Key("p1", "fetch-1", ADA), () -> 10 + counts.incrementAndGet());
        long nextFetch = totals.get(new FilteredTotals.Key("p1", "fetch-2", ADA), () -> 10 + counts.incrementAndGet());
        long otherFilter = totals.get(new FilteredTotals.Key("p1", "fetch-2", new CommitQueries.Filter("bob", null, null, null)),
                () -> 10 + counts.incrementAndGet());

        assertThat(first).isEqualTo(11);
        assertThat(again).isEqualTo(11);
        assertThat(nextFetch).as("the next fetch counts again").isEqualTo(12);
        assertThat(otherFilter).isEqualTo(13);
        assertThat(counts).hasValue(3);
    }

    @Test
    void theLeastRecentlyUsedTotalGoesBeyondTheSize() {
        FilteredTotals totals = new FilteredTotals(2);
        AtomicInteger counts = new AtomicInteger();
        FilteredTotals.Key a = new FilteredTotals.Key("a", "f", ADA);
        FilteredTotals.Key b = new FilteredTotals.Key("b", "f", ADA);
        FilteredTotals.Key c = new FilteredTotals.Key("c", "f", ADA);

        totals.get(a, counts::incrementAndGet);
        totals.get(b, counts::incrementAndGet);
        totals.get(a, counts::incrementAndGet); // a used again: b is the eldest
        totals.get(c, counts::incrementAndGet);
        totals.get(a, counts::incrementAndGet);
        totals.get(b, counts::incrementAndGet);

        assertThat(counts).as("a, b, c, then b again").hasValue(4);
    }
}
