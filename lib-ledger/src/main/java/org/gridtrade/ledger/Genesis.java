package org.gridtrade.ledger;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.gridtrade.ledger.internal.ByteWriter;

/**
 * What every node of a chain agrees on before the first block: the chain id, the initial balances
 * and the authorities (the accounts that may mint rewards and slash stake).
 *
 * <p>Two forms with the same meaning: {@link #Genesis(int, Map, Set, long) a map of allocations},
 * or {@link #fromAllocationsFile an allocations file} that is streamed and never held in memory
 * (for utility-scale chains of millions of accounts). Equal configurations encode and hash
 * identically, whichever form they come in. Immutable; the configuration hash and the genesis state
 * root are computed once.
 */
public final class Genesis {

  /** The proposer recorded in the genesis block: twenty zero bytes. */
  public static final Address NO_PROPOSER = Address.ofBytes(new byte[Address.LENGTH]);

  /** Above this many allocations the genesis state is built by a bulk build of the tree. */
  static final int BULK_THRESHOLD = 50_000;

  private final int chainId;
  private final Map<Address, Long> allocations; // null for a file genesis
  private final AllocationsFile file; // null for a map genesis
  private final Set<Address> authorities;
  private final long timestamp;
  private final Set<String> modules;
  private volatile Hash configHash;
  private volatile Hash stateRoot;

  /**
   * A genesis from a map of allocations.
   *
   * @param chainId the chain id every transaction must carry
   * @param allocations initial balances in micro-coins (each more than 0)
   * @param authorities accounts allowed to send {@link Payload.Reward} and {@link Payload.Slash}
   * @param timestamp the genesis block's time, epoch milliseconds
   * @throws IllegalArgumentException if an allocation is not positive, their total overflows a
   *     {@code long}, or the timestamp is negative
   */
  public Genesis(
      int chainId, Map<Address, Long> allocations, Set<Address> authorities, long timestamp) {
    Objects.requireNonNull(allocations, "allocations");
    Objects.requireNonNull(authorities, "authorities");
    TreeMap<Address, Long> sorted = new TreeMap<>();
    long total = 0;
    for (Map.Entry<Address, Long> e : allocations.entrySet()) {
      Address a = Objects.requireNonNull(e.getKey(), "allocations key");
      long v = Objects.requireNonNull(e.getValue(), "allocations value");
      if (v <= 0) {
        throw new IllegalArgumentException("allocations[%s] %d must be > 0".formatted(a, v));
      }
      try {
        total = Math.addExact(total, v);
      } catch (ArithmeticException x) {
        throw new IllegalArgumentException("allocations total overflows a long", x);
      }
      sorted.put(a, v);
    }
    this.chainId = chainId;
    this.allocations = Collections.unmodifiableMap(sorted);
    this.file = null;
    this.authorities = sortedSet(authorities);
    this.timestamp = checkTimestamp(timestamp);
    this.modules = Set.of();
  }

  private Genesis(int chainId, AllocationsFile file, Set<Address> authorities, long timestamp) {
    this.chainId = chainId;
    this.allocations = null;
    this.file = file;
    this.authorities = sortedSet(authorities);
    this.timestamp = checkTimestamp(timestamp);
    this.modules = Set.of();
  }

  private Genesis(Genesis g, Set<String> modules) {
    this.chainId = g.chainId;
    this.allocations = g.allocations;
    this.file = g.file;
    this.authorities = g.authorities;
    this.timestamp = g.timestamp;
    this.modules = modules;
    this.stateRoot = g.stateRoot;
  }

  /**
   * This configuration with the on-chain modules the chain runs (see {@link
   * org.gridtrade.ledger.spi.LedgerModule}). The names are part of the configuration hash, so nodes
   * that run different modules disagree from block 0 instead of at the first call.
   *
   * @param moduleNames the modules' names, each as {@link Payload.Call#module()} requires
   * @return a genesis with the same allocations, authorities and time, and these modules
   * @throws IllegalArgumentException if a name is malformed
   */
  public Genesis withModules(java.util.Collection<String> moduleNames) {
    Objects.requireNonNull(moduleNames, "moduleNames");
    TreeSet<String> s = new TreeSet<>();
    for (String n : moduleNames) {
      s.add(Payload.checkModuleName("moduleNames element", n));
    }
    return new Genesis(this, Collections.unmodifiableSet(s));
  }

  /**
   * The on-chain modules the chain runs, by name.
   *
   * @return an unmodifiable sorted set, empty if the chain runs the built-in rules only
   */
  public Set<String> modules() {
    return modules;
  }

  /**
   * A genesis whose allocations are read from a text file, one {@code address,micro-coins} per line
   * (the address in its {@link Address#toString()} form), addresses strictly ascending, amounts
   * more than 0; blank lines and lines starting with {@code #} are skipped. The file is checked
   * now, in one streaming pass, and read again (streaming) when the genesis state is built or
   * hashed; it must not change meanwhile.
   *
   * @param chainId the chain id
   * @param allocationsFile the file
   * @param authorities the authorities
   * @param timestamp the genesis block's time, epoch milliseconds
   * @return the genesis
   * @throws IllegalArgumentException if a line is malformed, out of order, a duplicate, not
   *     positive, or the total overflows; the message names the file, the line and the rule
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static Genesis fromAllocationsFile(
      int chainId, java.nio.file.Path allocationsFile, Set<Address> authorities, long timestamp) {
    Objects.requireNonNull(authorities, "authorities");
    return new Genesis(chainId, AllocationsFile.check(allocationsFile), authorities, timestamp);
  }

  private static Set<Address> sortedSet(Set<Address> authorities) {
    Objects.requireNonNull(authorities, "authorities");
    TreeSet<Address> s = new TreeSet<>();
    for (Address a : authorities) {
      s.add(Objects.requireNonNull(a, "authorities element"));
    }
    return Collections.unmodifiableSet(s);
  }

  private static long checkTimestamp(long timestamp) {
    if (timestamp < 0) {
      throw new IllegalArgumentException("timestamp %d must be >= 0".formatted(timestamp));
    }
    return timestamp;
  }

  /**
   * The chain id every transaction must carry.
   *
   * @return the chain id
   */
  public int chainId() {
    return chainId;
  }

  /**
   * The initial balances, sorted by address. For a genesis {@link #fromAllocationsFile from a file}
   * this reads the whole file into a map: at utility scale use {@link #forEachAllocation}.
   *
   * @return an unmodifiable sorted map
   */
  public Map<Address, Long> allocations() {
    if (allocations != null) {
      return allocations;
    }
    TreeMap<Address, Long> m = new TreeMap<>();
    forEachAllocation(m::put);
    return Collections.unmodifiableMap(m);
  }

  /**
   * Number of allocations.
   *
   * @return the count
   */
  public int allocationCount() {
    return allocations != null ? allocations.size() : file.count();
  }

  /**
   * Visits the allocations in ascending address order, streaming a file genesis.
   *
   * @param visitor called with each address and amount
   */
  public void forEachAllocation(java.util.function.BiConsumer<Address, Long> visitor) {
    Objects.requireNonNull(visitor, "visitor");
    if (allocations != null) {
      allocations.forEach(visitor);
    } else {
      file.forEach(visitor);
    }
  }

  /**
   * The authorities allowed to reward and slash.
   *
   * @return an unmodifiable sorted set
   */
  public Set<Address> authorities() {
    return authorities;
  }

  /**
   * The genesis block's time.
   *
   * @return epoch milliseconds
   */
  public long timestamp() {
    return timestamp;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Genesis g
        && chainId == g.chainId
        && timestamp == g.timestamp
        && authorities.equals(g.authorities)
        && allocationCount() == g.allocationCount()
        && modules.equals(g.modules)
        && configHash().equals(g.configHash());
  }

  @Override
  public int hashCode() {
    return configHash().hashCode();
  }

  @Override
  public String toString() {
    return "Genesis[chainId=%d, allocations=%d, authorities=%s, timestamp=%d%s%s]"
        .formatted(
            chainId,
            allocationCount(),
            authorities,
            timestamp,
            modules.isEmpty() ? "" : ", modules=" + modules,
            file == null ? "" : ", file=" + file.path());
  }

  /**
   * The state before block 1, for a chain that runs the built-in rules only.
   *
   * @return the genesis state
   * @throws IllegalStateException if this genesis names on-chain modules (use {@link
   *     #state(java.util.List)})
   */
  public LedgerState state() {
    if (!modules.isEmpty()) {
      throw new IllegalStateException(
          "this genesis names modules %s: give their implementations to state(modules)"
              .formatted(modules));
    }
    return LedgerState.genesis(this, Modules.BUILT_IN);
  }

  /**
   * The state before block 1, with the on-chain modules this genesis names.
   *
   * @param moduleImplementations one implementation per name in {@link #modules()}
   * @return the genesis state
   * @throws IllegalArgumentException if the modules do not match {@link #modules()} exactly, or two
   *     share a namespace
   */
  public LedgerState state(
      java.util.List<? extends org.gridtrade.ledger.spi.LedgerModule> moduleImplementations) {
    return LedgerState.genesis(this, Modules.of(this, moduleImplementations));
  }

  /** The genesis state root, computed once (building the state if needed). */
  Hash stateRoot() {
    Hash r = stateRoot;
    if (r == null) {
      r = LedgerState.genesis(this, Modules.BUILT_IN).root();
      stateRoot = r;
    }
    return r;
  }

  void rememberStateRoot(Hash root) {
    stateRoot = root;
  }

  /**
   * Hash of the canonical encoding of this configuration.
   *
   * @return the configuration hash, recorded in the genesis block's seal
   */
  public Hash configHash() {
    Hash h = configHash;
    if (h == null) {
      java.security.MessageDigest md = org.gridtrade.ledger.internal.Digests.newSha256();
      md.update(modules.isEmpty() ? MAGIC : MAGIC_V2);
      md.update(
          new ByteWriter(16).i32(chainId).i64(timestamp).i32(allocationCount()).toByteArray());
      byte[] entry = new byte[Address.LENGTH + 8];
      forEachAllocation(
          (a, v) -> {
            System.arraycopy(a.unsafeBytes(), 0, entry, 0, Address.LENGTH);
            for (int i = 0; i < 8; i++) {
              entry[Address.LENGTH + i] = (byte) (v >>> (56 - 8 * i));
            }
            md.update(entry);
          });
      md.update(new ByteWriter(4).i32(authorities.size()).toByteArray());
      authorities.forEach(a -> md.update(a.unsafeBytes()));
      if (!modules.isEmpty()) {
        md.update(encodeModules());
      }
      h = Hash.of(md.digest());
      configHash = h;
    }
    return h;
  }

  private static final byte[] MAGIC =
      "GridTrade/genesis/v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  // The form with on-chain modules; a genesis without modules keeps version 1's bytes and hash.
  private static final byte[] MAGIC_V2 =
      "GridTrade/genesis/v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private byte[] encodeModules() {
    ByteWriter w = new ByteWriter(4 + modules.size() * 34);
    w.i32(modules.size());
    modules.forEach(w::string);
    return w.toByteArray();
  }

  /**
   * The canonical encoding, for a genesis file every node of the chain shares: a magic and version
   * tag, chain id, time, the allocations sorted by address, the authorities sorted, and (version 2
   * only, when the chain runs on-chain modules) the module names sorted.
   *
   * @return a fresh array
   */
  public byte[] encode() {
    ByteWriter w = new ByteWriter(64 + allocationCount() * 28 + authorities.size() * 20);
    w.raw(modules.isEmpty() ? MAGIC : MAGIC_V2);
    w.i32(chainId).i64(timestamp).i32(allocationCount());
    forEachAllocation((a, v) -> w.raw(a.unsafeBytes()).i64(v));
    w.i32(authorities.size());
    authorities.forEach(a -> w.raw(a.unsafeBytes()));
    if (!modules.isEmpty()) {
      w.raw(encodeModules());
    }
    return w.toByteArray();
  }

  /**
   * Decodes {@link #encode()}'s form, accepting only the canonical one (sorted, no duplicates).
   *
   * @param bytes the encoded genesis
   * @return the genesis
   * @throws DecodeException if the bytes are not exactly one canonical genesis encoding
   */
  public static Genesis decode(byte[] bytes) throws DecodeException {
    java.util.Objects.requireNonNull(bytes, "bytes");
    org.gridtrade.ledger.internal.ByteReader r =
        new org.gridtrade.ledger.internal.ByteReader(bytes);
    byte[] magic = r.raw(Math.min(MAGIC.length, r.remaining()), "genesis.magic");
    boolean v2 = java.util.Arrays.equals(magic, MAGIC_V2);
    if (!v2 && !java.util.Arrays.equals(magic, MAGIC)) {
      throw new DecodeException("genesis.magic: not a GridTrade genesis (version 1 or 2)");
    }
    int chainId = r.i32("genesis.chainId");
    long timestamp = r.i64("genesis.timestamp");
    int n = r.i32("genesis.allocations.count");
    if (n < 0 || (long) n * (Address.LENGTH + 8) > r.remaining()) {
      throw new DecodeException(
          "genesis.allocations.count %d cannot fit in %d bytes".formatted(n, r.remaining()));
    }
    TreeMap<Address, Long> alloc = new TreeMap<>();
    Address previous = null;
    for (int i = 0; i < n; i++) {
      Address a = Address.ofBytes(r.raw(Address.LENGTH, "genesis.allocations[" + i + "]"));
      if (previous != null && previous.compareTo(a) >= 0) {
        throw new DecodeException("genesis.allocations[%d]: not sorted or duplicate".formatted(i));
      }
      alloc.put(a, r.i64("genesis.allocations[" + i + "].amount"));
      previous = a;
    }
    int m = r.i32("genesis.authorities.count");
    if (m < 0 || (long) m * Address.LENGTH > r.remaining()) {
      throw new DecodeException(
          "genesis.authorities.count %d cannot fit in %d bytes".formatted(m, r.remaining()));
    }
    TreeSet<Address> auth = new TreeSet<>();
    previous = null;
    for (int i = 0; i < m; i++) {
      Address a = Address.ofBytes(r.raw(Address.LENGTH, "genesis.authorities[" + i + "]"));
      if (previous != null && previous.compareTo(a) >= 0) {
        throw new DecodeException("genesis.authorities[%d]: not sorted or duplicate".formatted(i));
      }
      auth.add(a);
      previous = a;
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    if (v2) {
      int k = r.i32("genesis.modules.count");
      if (k < 1 || (long) k * 3 > r.remaining()) {
        throw new DecodeException(
            "genesis.modules.count %d must be 1.. and fit in %d bytes".formatted(k, r.remaining()));
      }
      for (int i = 0; i < k; i++) {
        String name = r.string(Payload.Call.MAX_MODULE_NAME, "genesis.modules[" + i + "]");
        if (!names.isEmpty() && names.get(names.size() - 1).compareTo(name) >= 0) {
          throw new DecodeException("genesis.modules[%d]: not sorted or duplicate".formatted(i));
        }
        names.add(name);
      }
    }
    r.expectEnd("genesis");
    try {
      Genesis g = new Genesis(chainId, alloc, auth, timestamp);
      return names.isEmpty() ? g : g.withModules(names);
    } catch (IllegalArgumentException e) {
      throw new DecodeException("genesis: " + e.getMessage());
    }
  }

  /**
   * The genesis block: height 0, no transactions, the genesis state root, and the configuration
   * hash as its seal, so two nodes with different genesis files disagree from block 0.
   *
   * @return block 0
   */
  public Block block() {
    return block(stateRoot());
  }

  /**
   * Whether a header is this chain's block 0 as far as it can be told without the genesis state:
   * height 0, this configuration's hash as its seal, and the genesis time.
   */
  boolean isBlockZero(BlockHeader h) {
    return h.height() == 0
        && java.util.Arrays.equals(h.seal(), configHash().bytes())
        && h.timestamp() == timestamp;
  }

  /** The genesis block for a state root computed by the caller. */
  Block block(Hash stateRoot) {
    BlockHeader h =
        new BlockHeader(
            0,
            Hash.ZERO,
            MerkleTree.root(java.util.List.of()),
            0,
            stateRoot,
            timestamp,
            NO_PROPOSER,
            configHash().bytes());
    return new Block(h, java.util.List.of());
  }
}
