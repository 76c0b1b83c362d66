package org.gridtrade.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.gridtrade.ledger.Hash;
import org.junit.jupiter.api.Test;

class InMemoryNetworkTest {
  private record Got(long at, String from, ConsensusMessage message) {}

  private List<Got> run(long seed, double loss, int messages) {
    ManualClock clock = new ManualClock(0);
    InMemoryNetwork net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .seed(seed)
            .delay(Duration.ofMillis(20), Duration.ofMillis(80))
            .lossRate(loss)
            .build();
    Transport a = net.join("a");
    Transport b = net.join("b");
    List<Got> got = new ArrayList<>();
    b.listen((from, m) -> got.add(new Got(clock.millis(), from, m)));
    for (int i = 0; i < messages; i++) {
      a.send("b", new ConsensusMessage.Status(i, Hash.ZERO));
      clock.advance(1);
      net.deliverDue();
    }
    for (int i = 0; i < 100; i++) {
      clock.advance(1);
      net.deliverDue();
    }
    assertThat(net.sent()).isEqualTo(messages);
    assertThat(net.lost() + got.size()).isEqualTo(messages);
    return got;
  }

  @Test
  void delays_stayInRange_andTheSameSeedRepeatsTheRun() {
    List<Got> got = run(7, 0, 500);
    assertThat(got).hasSize(500);
    for (Got g : got) {
      long sentAt = ((ConsensusMessage.Status) g.message()).height();
      assertThat(g.at() - sentAt).isBetween(20L, 80L);
      assertThat(g.from()).isEqualTo("a");
    }
    assertThat(run(7, 0, 500)).isEqualTo(got);
    assertThat(run(8, 0, 500)).isNotEqualTo(got);
  }

  @Test
  void lossRate_dropsAboutThatShare() {
    int n = 20_000;
    int delivered = run(3, 0.1, n).size();
    double lost = (n - delivered) / (double) n;
    // Binomial(20000, 0.1): standard deviation 0.0021; allow 5 of them.
    assertThat(lost).isBetween(0.1 - 0.0106, 0.1 + 0.0106);
  }

  @Test
  void leftNode_receivesNothing_andIdsAreUnique() {
    ManualClock clock = new ManualClock(0);
    InMemoryNetwork net =
        InMemoryNetwork.builder()
            .manualDelivery()
            .clock(clock)
            .delay(Duration.ofMillis(5), Duration.ofMillis(5))
            .build();
    Transport a = net.join("a");
    Transport b = net.join("b");
    List<ConsensusMessage> got = new ArrayList<>();
    b.listen((from, m) -> got.add(m));
    a.broadcast(new ConsensusMessage.Status(1, Hash.ZERO));
    net.leave("b");
    clock.advance(10);
    assertThat(net.deliverDue()).isZero();
    assertThat(got).isEmpty();
    assertThatThrownBy(() -> net.join("a")).hasMessageContaining("already connected");
    assertThatThrownBy(() -> InMemoryNetwork.builder().lossRate(1.0))
        .hasMessageContaining("lossRate 1.0");
    assertThatThrownBy(
            () -> InMemoryNetwork.builder().delay(Duration.ofMillis(5), Duration.ofMillis(4)))
        .hasMessageContaining("[5, 4]");
  }
}
