/// User-facing Delta table operations: each a value configured, then executed.
public enum LakeModule {}
