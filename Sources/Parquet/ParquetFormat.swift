/// Parquet file format: reading and writing Parquet files to and from `Columnar` batches.
public enum ParquetFormat {
    /// The `created_by` string lake writes into file metadata.
    public static let createdBy = "lake version 0.1.0 (build lake)"
}
