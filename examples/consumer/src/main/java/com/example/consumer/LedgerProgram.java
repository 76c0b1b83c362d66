package com.example.consumer;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.gridtrade.ledger.Account;
import org.gridtrade.ledger.Address;
import org.gridtrade.ledger.BlockHeader;
import org.gridtrade.ledger.BlockResult;
import org.gridtrade.ledger.BlockStores;
import org.gridtrade.ledger.ChainReport;
import org.gridtrade.ledger.DecodeException;
import org.gridtrade.ledger.Genesis;
import org.gridtrade.ledger.InclusionProof;
import org.gridtrade.ledger.KeyPair;
import org.gridtrade.ledger.Ledger;
import org.gridtrade.ledger.Payload;
import org.gridtrade.ledger.StateKey;
import org.gridtrade.ledger.StateProof;
import org.gridtrade.ledger.Transaction;
import org.gridtrade.ledger.TransactionBody;

/**
 * A durable ledger: a signed trade in a block, the chain reopened and verified, a proof of the
 * trade's inclusion, and a state proof of the seller's balance that a light client checks with the
 * block header alone.
 */
public final class LedgerProgram {
  private LedgerProgram() {}

  /** What the program found. */
  public record Result(
      long heightAfterReopen,
      boolean verified,
      boolean proofVerifies,
      long provenSellerBalance,
      boolean stateProofVerifies) {}

  /**
   * Runs the program.
   *
   * @param dir an empty folder for the store
   * @return the height after reopening, whether the chain verified, whether the inclusion proof
   *     verified, the seller's balance as a state proof shows it, whether that proof verified
   */
  public static Result run(Path dir) {
    SecureRandom random = new SecureRandom();
    KeyPair alice = KeyPair.generate(random);
    Address bob = KeyPair.generate(random).address();
    Genesis genesis = new Genesis(1, Map.of(alice.address(), 1_000_000_000L), Set.of(), 1_000);
    Path file = dir.resolve("chain.mv");
    Transaction trade =
        new TransactionBody(
                1,
                alice.publicKey(),
                0,
                100,
                new Payload.EnergyTrade(bob, alice.address(), 2_500, 150_000, "double-auction/h13"))
            .sign(alice);
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      Ledger.Proposal p = ledger.propose(List.of(trade), alice.address(), 2_000);
      if (!(ledger.append(p.block()) instanceof BlockResult.Appended)) {
        throw new IllegalStateException("block not appended");
      }
    }
    try (Ledger ledger = Ledger.open(genesis, BlockStores.openDurable(file))) {
      ChainReport report = ledger.verify();
      InclusionProof proof = ledger.proveTransaction(1, 0);
      BlockHeader header = ledger.block(1).orElseThrow().header();
      boolean proofOk = proof.verifyTransaction(trade.encode(), header);
      // What a light client receives (bytes) and checks against a header it trusts.
      byte[] wire = ledger.proveState(StateKey.account(bob)).encode();
      StateProof received;
      try {
        received = StateProof.decode(wire);
      } catch (DecodeException e) {
        throw new IllegalStateException("state proof does not decode", e);
      }
      boolean stateOk = received.verify(header, StateKey.account(bob));
      long balance = received.account().map(Account::balance).orElse(0L);
      return new Result(ledger.height(), report.valid(), proofOk, balance, stateOk);
    }
  }

  /**
   * Prints what {@link #run} found, with the store in a temporary folder.
   *
   * @param args none
   * @throws java.io.IOException if the folder cannot be made
   */
  public static void main(String[] args) throws java.io.IOException {
    System.out.println(run(java.nio.file.Files.createTempDirectory("gridtrade-consumer")));
  }
}
