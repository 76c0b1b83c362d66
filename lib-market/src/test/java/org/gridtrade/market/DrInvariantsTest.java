package org.gridtrade.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.LedgerState;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.spi.LedgerModule;
import org.junit.jupiter.api.Test;

/**
 * Random histories of demand-response rounds, over many blocks: rounds opened, escrowed (or not),
 * certified honestly or with a perturbed certificate, cells settled, rounds expiring and closing,
 * and hostile call data. After every block the total supply is unchanged, the module's account
 * holds exactly what the rounds' records say is outstanding, and a replica replaying the blocks has
 * the same state root.
 */
class DrInvariantsTest {
  private static final int USERS = 8;
  private static final long EACH = 1_000_000_000L;

  /** Over all histories: rounds by final status, and cells settled by token. */
  private static final int[] SEEN = new int[DrRound.Status.values().length + 1];

  @Test
  void property_randomHistories_conserveCoinsAndEscrowAndReplayIdentically() {
    java.util.Arrays.fill(SEEN, 0);
    qt().withFixedSeed(20261208L).withExamples(15).forAll(longs().all()).checkAssert(this::check);
    System.out.println(
        "DR histories: rounds by status and cells settled " + java.util.Arrays.toString(SEEN));
    // the histories reached every status and settled cells by token
    assertThat(java.util.Arrays.stream(SEEN).min().orElseThrow()).isPositive();
  }

  private void check(long seed) {
    Random rnd = new Random(seed);
    try (MarketChain c = new MarketChain(USERS, EACH, new DemandResponseMarket());
        MarketChain replica = new MarketChain(USERS, EACH, new DemandResponseMarket())) {
      List<DrTestMarkets.Cert> certs = new ArrayList<>();
      List<List<KeyPair>> evKeys = new ArrayList<>();
      List<List<KeyPair>> spKeys = new ArrayList<>();
      int accepted = 0;
      int refused = 0;
      for (int block = 1; block <= 20; block++) {
        List<Transaction> txs = new ArrayList<>();
        List<KeyPair> senders = new ArrayList<>();
        if (block % 6 == 1) {
          int n = 1 + rnd.nextInt(3);
          int m = 1 + rnd.nextInt(3);
          List<KeyPair> evs = c.keys.subList(1, 1 + n);
          List<KeyPair> sps = c.keys.subList(5, 5 + m);
          long certifyBy = block + 2 + rnd.nextInt(3);
          DrTestMarkets.Market mk =
              DrTestMarkets.random(
                  rnd,
                  evs.stream().map(KeyPair::address).toList(),
                  sps.stream().map(KeyPair::address).toList(),
                  certifyBy,
                  certifyBy + 1 + rnd.nextInt(5));
          certs.add(DrTestMarkets.certificate(mk));
          evKeys.add(evs);
          spKeys.add(sps);
          txs.add(c.tx(c.operator(), DrCalls.open(mk.spec())));
          senders.add(c.operator());
        }
        long rounds = DemandResponseMarket.count(c.state());
        for (int k = 0; k < 1 + rnd.nextInt(10) && rounds > 0; k++) {
          int r = rnd.nextInt((int) rounds);
          DrRound round = DemandResponseMarket.round(c.state(), r).orElseThrow();
          switch (rnd.nextInt(5)) {
            case 0, 1 -> {
              List<KeyPair> own = evKeys.get(r);
              KeyPair ev =
                  rnd.nextInt(4) > 0
                      ? own.get(rnd.nextInt(own.size()))
                      : c.keys.get(1 + rnd.nextInt(4));
              txs.add(c.tx(ev, DrCalls.escrow(r)));
              senders.add(ev);
            }
            case 2 -> {
              DrTestMarkets.Cert cert = certs.get(r).copy();
              if (rnd.nextInt(3) == 0) {
                int i = rnd.nextInt(cert.u().length);
                cert.u()[i] += rnd.nextBoolean() ? 10_000 : -10_000;
              }
              txs.add(c.tx(c.operator(), DrCalls.certify(r, cert.x(), cert.u(), cert.alpha())));
              senders.add(c.operator());
            }
            case 3 -> {
              if (round.certificate().isPresent()) {
                int i = rnd.nextInt(evKeys.get(r).size());
                int j = rnd.nextInt(spKeys.get(r).size());
                if (round.certificate().get().cellPaymentsMicro().get(i).get(j) > 0) {
                  long t = MarketChain.T0 + (c.ledger.height() + 1) * 1_000L;
                  KeyPair sp = spKeys.get(r).get(j);
                  txs.add(
                      c.tx(
                          sp,
                          DrCalls.settle(
                              r,
                              j,
                              DemandResponseMarket.settlement(
                                  c.state(),
                                  MarketChain.CHAIN,
                                  r,
                                  i,
                                  j,
                                  t + 5_000,
                                  t - 1,
                                  sp,
                                  evKeys.get(r).get(i)))));
                  senders.add(sp);
                }
              }
            }
            default -> {
              byte[] junk = new byte[rnd.nextInt(rnd.nextBoolean() ? 40 : 400)];
              rnd.nextBytes(junk);
              if (junk.length > 0) {
                junk[0] = (byte) (1 + rnd.nextInt(4));
              }
              if (junk.length > 8 && rnd.nextBoolean()) {
                java.nio.ByteBuffer.wrap(junk).putLong(1, r);
              }
              KeyPair k2 = c.keys.get(rnd.nextInt(USERS));
              txs.add(c.tx(k2, new Payload.Call(DemandResponseMarket.NAME, junk)));
              senders.add(k2);
            }
          }
        }
        var p = c.block(txs);
        for (var s : p.skipped()) {
          c.unuse(senders.get(txs.indexOf(s.transaction())));
        }
        refused += p.skipped().size();
        accepted += txs.size() - p.skipped().size();
        assertThat(replica.ledger.append(c.ledger.block(block).orElseThrow()))
            .isInstanceOf(BlockResult.Appended.class);
        LedgerState s = c.state();
        assertThat(replica.state().root()).isEqualTo(s.root());
        assertThat(s.totalSupply()).isEqualTo(USERS * EACH);
        assertThat(s.account(LedgerModule.account(DemandResponseMarket.NAME)).balance())
            .as("dr-settlement account after block %d", block)
            .isEqualTo(outstanding(s));
      }
      assertThat(accepted).isPositive();
      assertThat(refused).isPositive();
      for (long r = 0; r < DemandResponseMarket.count(c.state()); r++) {
        DrRound round = DemandResponseMarket.round(c.state(), r).orElseThrow();
        SEEN[round.status().ordinal()]++;
        round
            .certificate()
            .ifPresent(
                cert -> {
                  for (int i = 0; i < cert.settled().size(); i++) {
                    for (int j = 0; j < cert.settled().get(i).size(); j++) {
                      boolean paid = cert.cellPaymentsMicro().get(i).get(j) > 0;
                      SEEN[SEEN.length - 1] += paid && cert.settled().get(i).get(j) ? 1 : 0;
                    }
                  }
                });
      }
    }
  }

  /** What the rounds' records say the module holds. */
  private static long outstanding(LedgerState s) {
    long sum = 0;
    for (long r = 0; r < DemandResponseMarket.count(s); r++) {
      DrRound round = DemandResponseMarket.round(s, r).orElseThrow();
      switch (round.status()) {
        case OPEN -> sum += round.escrowMicro().stream().mapToLong(Long::longValue).sum();
        case CERTIFIED -> {
          DrRound.Certificate c = round.certificate().orElseThrow();
          sum += c.evPaymentsMicro().stream().mapToLong(Long::longValue).sum();
          for (int i = 0; i < c.settled().size(); i++) {
            for (int j = 0; j < c.settled().get(i).size(); j++) {
              if (c.settled().get(i).get(j)) {
                sum -= c.cellPaymentsMicro().get(i).get(j);
              }
            }
          }
        }
        default -> {
          if (round.status() == DrRound.Status.CLOSED) {
            DrRound.Certificate c = round.certificate().orElseThrow();
            long in = c.evPaymentsMicro().stream().mapToLong(Long::longValue).sum();
            long out =
                c.operatorMicro() + c.returnedMicro().stream().mapToLong(Long::longValue).sum();
            for (int i = 0; i < c.settled().size(); i++) {
              for (int j = 0; j < c.settled().get(i).size(); j++) {
                out += c.settled().get(i).get(j) ? c.cellPaymentsMicro().get(i).get(j) : 0;
              }
            }
            assertThat(out).as("round %d pays out what its EVs paid", r).isEqualTo(in);
          }
        }
      }
    }
    return sum;
  }
}
