package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.gridtrade.consensus.poa.ProofOfAuthority;
import org.junit.jupiter.api.Test;

class ConsensusScheduleTest {
  private final ProofOfAuthority first =
      ProofOfAuthority.builder().sealers(List.of(Fixtures.key(1).address())).build();
  private final ProofOfAuthority second =
      ProofOfAuthority.builder().sealers(List.of(Fixtures.key(2).address())).build();

  @Test
  void protocolAt_picksTheLatestEntryAtOrBelowTheHeight() {
    ConsensusSchedule s = ConsensusSchedule.builder().from(1, first).from(100, second).build();
    assertThat(s.protocolAt(1)).isSameAs(first);
    assertThat(s.protocolAt(99)).isSameAs(first);
    assertThat(s.protocolAt(100)).isSameAs(second);
    assertThat(s.protocolAt(1_000_000)).isSameAs(second);
    assertThat(s.activationHeight(99)).isEqualTo(1);
    assertThat(s.activationHeight(150)).isEqualTo(100);
    assertThat(s.entries()).containsOnlyKeys(1L, 100L);
  }

  @Test
  void badSchedules_areRefused() {
    assertThatThrownBy(() -> ConsensusSchedule.builder().from(5, first).build())
        .hasMessageContaining("no protocol from height 1");
    assertThatThrownBy(() -> ConsensusSchedule.builder().from(0, first))
        .hasMessageContaining("height 0");
    assertThatThrownBy(() -> ConsensusSchedule.builder().from(1, first).from(1, second))
        .hasMessageContaining("already has");
    assertThatThrownBy(() -> ConsensusSchedule.of(first).protocolAt(0))
        .hasMessageContaining("height 0");
  }

  @Test
  void blockPolicy_validatesAndNamesTheValue() {
    assertThatThrownBy(() -> BlockPolicy.DEFAULT.withMaxTransactions(0))
        .hasMessageContaining("maxTransactions 0");
    assertThatThrownBy(() -> BlockPolicy.DEFAULT.withBlockPeriod(Duration.ofMillis(-1)))
        .hasMessageContaining("blockPeriod PT-0.001S must be >= 0");
    assertThat(BlockPolicy.DEFAULT.maxTransactions()).isEqualTo(1_000);
    assertThat(BlockPolicy.DEFAULT.onlyWhenTransactionsWait()).isTrue();
  }
}
