package org.gridtrade.auction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.gridtrade.auction.ReverseAuctionResult.Exclusion;
import org.gridtrade.auction.SealedBidBox.Receipt;
import org.junit.jupiter.api.Test;

class SealedBidBoxTest {
  private static final long COMMIT_DEADLINE = 1_000;
  private static final long REVEAL_DEADLINE = 2_000;

  private static byte[] salt(int seed) {
    byte[] s = new byte[16];
    for (int i = 0; i < s.length; i++) {
      s[i] = (byte) (seed * 31 + i);
    }
    return s;
  }

  /** Known-answer vectors computed independently (Python hashlib + struct, big-endian). */
  @Test
  void commitment_matchesDocumentedEncoding() {
    byte[] salt = new byte[16];
    for (int i = 0; i < 16; i++) {
      salt[i] = (byte) i;
    }
    assertThat(HexFormat.of().formatHex(SealedBidBox.commitment("SP1", 9.5, salt)))
        .isEqualTo("776593047f81d6ed44df4a975e8bcdda2373bd2fa05993de10f60838a42f5f80");
    byte[] sevens = new byte[20];
    java.util.Arrays.fill(sevens, (byte) 7);
    // UTF-8 bidder (2-byte É), price -0.0 encoded as 0.0
    assertThat(HexFormat.of().formatHex(SealedBidBox.commitment("\u00c91", -0.0, sevens)))
        .isEqualTo("e4b255bead152878ab546b10cefff5706acff4d0820ea9731ae85577561e1f85");
  }

  @Test
  void commitment_badInput_rejected() {
    assertThatThrownBy(() -> SealedBidBox.commitment("SP1", 9.5, new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("salt length 3");
    assertThatThrownBy(() -> SealedBidBox.commitment("SP1", Double.NaN, salt(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("price NaN");
    assertThatThrownBy(() -> SealedBidBox.commitment(" ", 1, salt(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(
            () -> SealedBidBox.withDeadlines(Instant.ofEpochMilli(10), Instant.ofEpochMilli(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("revealDeadline 1970-01-01T00:00:00.005Z must not be before");
  }

  @Test
  void honestBids_runTheAuction_inCommitOrder() {
    SealedBidBox box =
        SealedBidBox.withDeadlines(
            Instant.ofEpochMilli(COMMIT_DEADLINE), Instant.ofEpochMilli(REVEAL_DEADLINE));
    assertThat(
            box.commit("SP2", SealedBidBox.commitment("SP2", 10, salt(2)), Instant.ofEpochMilli(10))
                .accepted())
        .isTrue();
    assertThat(
            box.commit("SP1", SealedBidBox.commitment("SP1", 10, salt(1)), Instant.ofEpochMilli(20))
                .accepted())
        .isTrue();
    assertThat(
            box.commit("SP3", SealedBidBox.commitment("SP3", 12, salt(3)), Instant.ofEpochMilli(30))
                .accepted())
        .isTrue();
    // reveals in a different order: the tie still goes to the earlier commitment (SP2)
    assertThat(box.reveal("SP1", 10, salt(1), Instant.ofEpochMilli(1_500)))
        .isEqualTo(new Receipt("SP1", true, ""));
    assertThat(box.reveal("SP3", 12, salt(3), Instant.ofEpochMilli(1_600)).accepted()).isTrue();
    assertThat(box.reveal("SP2", 10, salt(2), Instant.ofEpochMilli(2_000)).accepted()).isTrue();
    assertThat(box.revealedPrice("SP3").getAsDouble()).isEqualTo(12);
    ReverseAuctionResult r = box.close(ReverseAuction.secondPrice());
    assertThat(r.winner()).contains("SP2");
    assertThat(r.payment().getAsDouble()).isEqualTo(10);
    assertThat(r.excluded()).isEmpty();
    assertThat(box.commit("SP4", new byte[32], Instant.ofEpochMilli(0)).reason())
        .isEqualTo("box is closed");
  }

  @Test
  void badEvents_excludedWithReason_neverThrow() {
    SealedBidBox box =
        SealedBidBox.withDeadlines(
            Instant.ofEpochMilli(COMMIT_DEADLINE), Instant.ofEpochMilli(REVEAL_DEADLINE));
    box.commit("TAMPER", SealedBidBox.commitment("TAMPER", 8, salt(1)), Instant.ofEpochMilli(1));
    box.commit("LATE", SealedBidBox.commitment("LATE", 7, salt(2)), Instant.ofEpochMilli(2));
    box.commit("SILENT", SealedBidBox.commitment("SILENT", 6, salt(3)), Instant.ofEpochMilli(3));
    box.commit("TWICE", SealedBidBox.commitment("TWICE", 5, salt(4)), Instant.ofEpochMilli(4));
    box.commit("HONEST", SealedBidBox.commitment("HONEST", 11, salt(5)), Instant.ofEpochMilli(5));
    Receipt twice =
        box.commit("TWICE", SealedBidBox.commitment("TWICE", 4, salt(4)), Instant.ofEpochMilli(6));
    assertThat(twice.accepted()).isFalse();
    assertThat(
            box.commit(
                    "SLOW",
                    SealedBidBox.commitment("SLOW", 1, salt(6)),
                    Instant.ofEpochMilli(1_001))
                .reason())
        .startsWith("late commit at 1970-01-01T00:00:01.001Z");
    assertThat(box.commit("SHORT", new byte[31], Instant.ofEpochMilli(7)).reason())
        .contains("31 bytes");
    assertThat(box.reveal("TAMPER", 7.5, salt(1), Instant.ofEpochMilli(1_100)).reason())
        .isEqualTo("reveal does not match commitment");
    assertThat(box.reveal("TAMPER", 8, salt(1), Instant.ofEpochMilli(1_200)).reason())
        .startsWith("bidder already excluded");
    assertThat(box.reveal("LATE", 7, salt(2), Instant.ofEpochMilli(2_001)).reason())
        .startsWith("late reveal at 1970-01-01T00:00:02.001Z");
    assertThat(box.reveal("GHOST", 1, salt(7), Instant.ofEpochMilli(1_100)).reason())
        .isEqualTo("reveal without commitment");
    assertThat(box.reveal("HONEST", 11, salt(5), Instant.ofEpochMilli(1_100)).accepted()).isTrue();
    assertThat(box.reveal("HONEST", 11, salt(5), Instant.ofEpochMilli(1_200)).reason())
        .contains("repeated reveal");
    ReverseAuctionResult r = box.close(ReverseAuction.secondPrice().withReserve(14));
    assertThat(r.winner()).contains("HONEST");
    assertThat(r.payment().getAsDouble()).isEqualTo(14);
    Map<String, String> why = new HashMap<>();
    for (Exclusion e : r.excluded()) {
      why.put(e.id(), e.reason());
    }
    assertThat(why.keySet())
        .containsExactlyInAnyOrder("TAMPER", "LATE", "SILENT", "TWICE", "SLOW", "SHORT", "GHOST");
    assertThat(why.get("SILENT")).isEqualTo("committed but never revealed");
    assertThat(why.get("TWICE")).startsWith("double commit");
    assertThat(why.get("GHOST")).isEqualTo("reveal without commitment");
  }

  @Test
  void nothingValid_noTradeWithReason() {
    SealedBidBox box =
        SealedBidBox.withDeadlines(
            Instant.ofEpochMilli(COMMIT_DEADLINE), Instant.ofEpochMilli(REVEAL_DEADLINE));
    box.reveal("GHOST", 1, salt(7), Instant.ofEpochMilli(1_100));
    ReverseAuctionResult r = box.close(ReverseAuction.firstPrice());
    assertThat(r.traded()).isFalse();
    assertThat(r.noTradeReason()).isEqualTo("no valid sealed bids; 1 excluded");
  }

  private enum Behaviour {
    HONEST,
    TAMPERED_PRICE,
    TAMPERED_SALT,
    LATE_REVEAL,
    NO_COMMIT,
    NEVER_REVEALED,
    DOUBLE_COMMIT,
    LATE_COMMIT
  }

  /**
   * Over random mixes of honest and misbehaving bidders (in random event order), every misbehaving
   * bidder is excluded with the right reason, and the winner is the lowest honest ask, earliest
   * commitment on ties.
   */
  @Test
  void property_misbehaviourExcludedWithReason_honestLowestWins() {
    qt().withFixedSeed(9_9L)
        .withExamples(400)
        .forAll(longs().all())
        .checkAssert(
            seed -> {
              SplittableRandom rnd = new SplittableRandom(seed);
              int n = 1 + rnd.nextInt(8);
              Behaviour[] all = Behaviour.values();
              SealedBidBox box =
                  SealedBidBox.withDeadlines(
                      Instant.ofEpochMilli(COMMIT_DEADLINE), Instant.ofEpochMilli(REVEAL_DEADLINE));
              Behaviour[] kind = new Behaviour[n];
              double[] price = new double[n];
              List<Runnable> commits = new ArrayList<>();
              List<Runnable> reveals = new ArrayList<>();
              List<String> commitOrder = new ArrayList<>();
              for (int i = 0; i < n; i++) {
                String id = "B" + i;
                kind[i] = all[rnd.nextInt(all.length)];
                price[i] = rnd.nextInt(10);
                byte[] s = new byte[16 + rnd.nextInt(17)];
                rnd.nextBytes(s);
                double p = price[i];
                Behaviour k = kind[i];
                long tc = rnd.nextLong(COMMIT_DEADLINE + 1);
                if (k != Behaviour.NO_COMMIT) {
                  long t = k == Behaviour.LATE_COMMIT ? COMMIT_DEADLINE + 1 : tc;
                  commits.add(
                      () -> {
                        if (box.commit(
                                id, SealedBidBox.commitment(id, p, s), Instant.ofEpochMilli(t))
                            .accepted()) {
                          commitOrder.add(id);
                        }
                      });
                }
                if (k == Behaviour.DOUBLE_COMMIT) {
                  commits.add(
                      () ->
                          box.commit(
                              id, SealedBidBox.commitment(id, p + 1, s), Instant.ofEpochMilli(tc)));
                }
                long tr = COMMIT_DEADLINE + 1 + rnd.nextLong(REVEAL_DEADLINE - COMMIT_DEADLINE);
                byte[] badSalt = s.clone();
                badSalt[0] ^= 1;
                switch (k) {
                  case HONEST, NO_COMMIT, DOUBLE_COMMIT, LATE_COMMIT ->
                      reveals.add(() -> box.reveal(id, p, s, Instant.ofEpochMilli(tr)));
                  case TAMPERED_PRICE ->
                      reveals.add(() -> box.reveal(id, p + 0.5, s, Instant.ofEpochMilli(tr)));
                  case TAMPERED_SALT ->
                      reveals.add(() -> box.reveal(id, p, badSalt, Instant.ofEpochMilli(tr)));
                  case LATE_REVEAL ->
                      reveals.add(
                          () -> box.reveal(id, p, s, Instant.ofEpochMilli(REVEAL_DEADLINE + 1)));
                  case NEVER_REVEALED -> {}
                  default -> throw new AssertionError(k);
                }
              }
              java.util.Collections.shuffle(commits, new java.util.Random(rnd.nextLong()));
              java.util.Collections.shuffle(reveals, new java.util.Random(rnd.nextLong()));
              commits.forEach(Runnable::run);
              reveals.forEach(Runnable::run);
              ReverseAuctionResult r = box.close(ReverseAuction.secondPrice());

              Map<String, String> why = new HashMap<>();
              r.excluded().forEach(e -> why.put(e.id(), e.reason()));
              String best = null;
              double bestPrice = Double.POSITIVE_INFINITY;
              for (String id : commitOrder) {
                int i = Integer.parseInt(id.substring(1));
                if (kind[i] == Behaviour.HONEST && price[i] < bestPrice) {
                  best = id;
                  bestPrice = price[i];
                }
              }
              for (int i = 0; i < n; i++) {
                String id = "B" + i;
                String expected =
                    switch (kind[i]) {
                      case HONEST -> null;
                      case TAMPERED_PRICE, TAMPERED_SALT -> "reveal does not match commitment";
                      case LATE_REVEAL -> "late reveal";
                      case NO_COMMIT -> "reveal without commitment";
                      case NEVER_REVEALED -> "committed but never revealed";
                      case DOUBLE_COMMIT -> "double commit";
                      case LATE_COMMIT -> "late commit";
                    };
                if (expected == null) {
                  assertThat(why).doesNotContainKey(id);
                } else {
                  assertThat(why.get(id)).as("%s %s", id, kind[i]).startsWith(expected);
                }
              }
              if (best == null) {
                assertThat(r.traded()).isFalse();
                assertThat(r.noTradeReason()).isNotBlank();
              } else {
                assertThat(r.winner()).contains(best);
                assertThat(r.winningBid().getAsDouble()).isEqualTo(bestPrice);
              }
            });
  }
}
