/// Namespace marker for the DataFrame module: an immutable columnar table and SQL expressions over it.
public enum DataFrameModule {}
