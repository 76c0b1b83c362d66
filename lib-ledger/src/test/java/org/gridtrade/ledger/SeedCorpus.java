package org.gridtrade.ledger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The valid encodings the ledger's fuzz targets start from ({@link LedgerDecodersFuzzTest}), one
 * list per target, and the fixtures the targets share. {@link #main} writes them as {@code
 * valid-NN} files into the targets' input directories:
 *
 * <pre>
 * java -cp &lt;test class path&gt; org.gridtrade.ledger.SeedCorpus lib-ledger/src/test/resources
 * </pre>
 *
 * <p>{@code LedgerDecodersFuzzTest.seedCorpus_validFiles_decode} checks that the committed files
 * still decode, so a change of an encoding cannot silently turn the corpus into noise.
 */
public final class SeedCorpus {
  /** The password of the seed keystore. */
  static final char[] PASSWORD = "fuzz-password".toCharArray();

  private SeedCorpus() {}

  /**
   * A fixed signed transfer.
   *
   * @return the transaction
   */
  static Transaction transfer() {
    return new TransactionBody(
            TestKit.CHAIN, TestKit.key(1).publicKey(), 3, 1, new Payload.Transfer(addr(2), 42))
        .sign(TestKit.key(1));
  }

  /**
   * A fixed Merkle tree of 11 leaves (odd, so proofs cross unbalanced right edges).
   *
   * @return the tree
   */
  static MerkleTree tree() {
    List<byte[]> leaves = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      leaves.add(("leaf-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    return MerkleTree.of(leaves);
  }

  private static Address addr(int i) {
    return TestKit.key(i).address();
  }

  /**
   * Transactions of every payload type.
   *
   * @return the transactions
   */
  static List<Transaction> transactions() {
    List<Transaction> out = new ArrayList<>();
    out.add(transfer());
    Random rnd = new Random(20_261_206L);
    for (int i = 0; out.size() < 12 && i < 1_000; i++) {
      Transaction t = TestKit.randomTransaction(rnd);
      if (out.stream().noneMatch(o -> o.body().payload().tag() == t.body().payload().tag())
          || out.size() >= 9) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * A block holding transactions, and a sealed empty block.
   *
   * @return the blocks
   */
  static List<Block> blocks() {
    Genesis g = TestKit.genesis(TestKit.keys(3), 1_000_000);
    List<Transaction> txs = transactions().subList(0, 4);
    List<byte[]> leaves = txs.stream().map(Transaction::encode).toList();
    BlockHeader h1 =
        new BlockHeader(
            1,
            g.block().hash(),
            MerkleTree.root(leaves),
            txs.size(),
            Hash.sha256(new byte[] {1}),
            g.timestamp() + 1_000,
            addr(0),
            new byte[] {1, 2, 3});
    Block b1 = new Block(h1, txs);
    BlockHeader h2 =
        new BlockHeader(
            2,
            b1.hash(),
            MerkleTree.EMPTY_ROOT,
            0,
            Hash.sha256(new byte[] {2}),
            g.timestamp() + 2_000,
            addr(1),
            new byte[97]);
    return List.of(g.block(), b1, new Block(h2, List.of()));
  }

  /**
   * Every target's valid inputs, by target method name.
   *
   * @return the inputs
   */
  static Map<String, List<byte[]>> inputs() {
    Map<String, List<byte[]>> m = new LinkedHashMap<>();
    List<Transaction> txs = transactions();
    m.put(
        "decodeTransaction_anyBytes_canonicalOrRejected",
        txs.stream().map(Transaction::encode).toList());
    m.put(
        "decodeTransactionBody_anyBody_canonicalOrRejected",
        txs.stream().map(t -> Codec.encodeBody(t.body())).toList());
    m.put(
        "decodePayload_anyPayload_canonicalOrRejected",
        txs.stream()
            .map(t -> Codec.encodeBody(t.body()))
            .map(b -> Arrays.copyOfRange(b, Codec.PAYLOAD_TAG_OFFSET, b.length))
            .toList());
    List<Block> blocks = blocks();
    m.put("decodeBlock_anyBytes_canonicalOrRejected", blocks.stream().map(Block::encode).toList());
    m.put(
        "decodeBlockHeader_anyHeader_canonicalOrRejected",
        blocks.stream()
            .filter(b -> b.transactions().isEmpty())
            .map(b -> b.header().encode())
            .toList());
    m.put(
        "decodeGenesis_anyBytes_canonicalOrRejected",
        List.of(
            TestKit.genesis(TestKit.keys(3), 1_000_000).encode(),
            new Genesis(9, Map.of(), java.util.Set.of(), 0).encode()));
    MerkleTree tree = tree();
    m.put(
        "decodeInclusionProof_anyBytes_canonicalAndVerifyAnswers",
        List.of(
            tree.inclusionProof(0).encode(),
            tree.inclusionProof(7).encode(),
            tree.inclusionProof(10).encode()));
    m.put("decodeStateProof_anyBytes_canonicalOrRejected", stateProofs());
    m.put(
        "parseText_anyText_valueOrIllegalArgument",
        List.of(
            addr(3).toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            Hash.sha256(new byte[] {3})
                .toHex()
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    m.put(
        "decryptKeystore_anyBytes_keyOrKeystoreException",
        List.of(
            Keystore.encrypt(
                TestKit.key(5), PASSWORD, new Keystore.Params(10, 1, 1), deterministicRandom())));
    return m;
  }

  /** The state of {@link #STATE_KEYS} accounts and proofs of a present and two absent keys. */
  static final int STATE_KEYS = 200;

  /** A state whose proofs the fuzz target checks against: {@link #STATE_KEYS} funded accounts. */
  static LedgerState proofState() {
    Map<Address, Long> alloc = new java.util.TreeMap<>();
    for (int i = 0; i < STATE_KEYS; i++) {
      alloc.put(
          Address.ofBytes(Arrays.copyOf(Hash.sha256(TestKit.longBytes(i)).bytes(), 20)), 1L + i);
    }
    return new Genesis(5, alloc, java.util.Set.of(), 0).state();
  }

  private static List<byte[]> stateProofs() {
    LedgerState s = proofState();
    List<byte[]> out = new java.util.ArrayList<>();
    Address present = s.accounts().keySet().iterator().next();
    out.add(StateProof.of(StateKey.account(present), s).encode());
    for (int i = 0; out.size() < 3 && i < 1_000; i++) {
      StateKey k =
          StateKey.account(
              Address.ofBytes(
                  new byte[] {
                    (byte) i, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
                  }));
      byte[] e = StateProof.of(k, s).encode();
      int kind = e[3 + k.bytes().length] & 0xFF;
      if (kind == out.size()) { // one ending in an empty subtree (1), one in another leaf (2)
        out.add(e);
      }
    }
    return out;
  }

  private static SecureRandom deterministicRandom() {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(20_261_206L);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the inputs.
   *
   * @param args the test resources root
   * @throws IOException if a file cannot be written
   */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]).resolve("org/gridtrade/ledger/" + "LedgerDecodersFuzzTestInputs");
    for (Map.Entry<String, List<byte[]>> e : inputs().entrySet()) {
      Path dir = Files.createDirectories(root.resolve(e.getKey()));
      for (int i = 0; i < e.getValue().size(); i++) {
        Files.write(dir.resolve("valid-%02d".formatted(i)), e.getValue().get(i));
      }
    }
  }
}
