package org.gridtrade.game.stackelberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvDataTest {

  @Test
  void generator_sameSeedSameFleet_differentSeedDifferentFleet() {
    assertThat(EvGenerator.random(200, 9)).isEqualTo(EvGenerator.random(200, 9));
    assertThat(EvGenerator.random(200, 9)).isNotEqualTo(EvGenerator.random(200, 10));
  }

  @Test
  void generator_followsItsDocumentedDistributions() {
    List<Ev> evs = EvGenerator.random(20_000, 1);
    // Home charging arrives 14:00..23:00 (index 6..15) and leaves by 08:00 (end index 20..23).
    long home = evs.stream().filter(e -> e.start() >= 6 && e.end() >= 20).count();
    double share = home / (double) evs.size();
    // 70 % home charging; binomial sd at n = 20,000 is 0.0032, allow 5 sd.
    assertThat(share).isBetween(0.7 - 0.016, 0.7 + 0.016);
    double fast = evs.stream().filter(e -> e.alphaMax() == 11.0).count() / (double) evs.size();
    assertThat(fast).isBetween(0.1 - 0.011, 0.1 + 0.011);
    double zeroMin = evs.stream().filter(e -> e.alphaMin() == 0).count() / (double) evs.size();
    assertThat(zeroMin).isBetween(0.7 - 0.016, 0.7 + 0.016);
    for (Ev e : evs) {
      assertThat(e.energy()).isBetween(0.0, 40.0);
      assertThat(e.energy()).isLessThanOrEqualTo(e.windowLength() * e.alphaMax() + 1e-9);
    }
    double[] sorted = evs.stream().mapToDouble(Ev::energy).sorted().toArray();
    // Median 10 kWh before clipping to the window; short daytime windows pull it down a little.
    assertThat(sorted[sorted.length / 2]).isBetween(8.5, 10.5);
  }

  @Test
  void csv_roundTrips_andNamesTheBadLine() {
    List<Ev> evs = EvGenerator.random(50, 4);
    assertThat(EvCsv.read(new StringReader(EvCsv.write(evs)))).isEqualTo(evs);
    String bad = EvCsv.HEADER + "\n# comment\nEV1,0,3,4,0,2\nEV2,0,3,40,0,2\n";
    assertThatThrownBy(() -> EvCsv.read(new StringReader(bad)))
        .hasMessageContaining("line 4")
        .hasMessageContaining("EV2 is infeasible");
    assertThatThrownBy(() -> EvCsv.read(new StringReader("id,start\n")))
        .hasMessageContaining("header");
    assertThatThrownBy(() -> EvCsv.read(new StringReader(EvCsv.HEADER + "\nEV1,0,x,4,0,2\n")))
        .hasMessageContaining("line 2");
  }
}
