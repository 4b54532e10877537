/// The Delta transaction log: actions, snapshots, checkpoints and transactions.
public enum DeltaLogModule {}
