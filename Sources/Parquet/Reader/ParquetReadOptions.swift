import Columnar

/// Choices `ParquetReader` makes where a Parquet file leaves the Columnar type open. Defaults follow pyarrow.
public struct ParquetReadOptions: Sendable, Hashable {
    /// The unit INT96 (legacy Impala/Spark) timestamps are read in, like pyarrow's
    /// `coerce_int96_timestamp_unit`. Nanoseconds, the default and pyarrow's choice, cover only
    /// 1677-09-21...2262-04-11 and wrap outside it as pyarrow does. Spark means microseconds (a Delta
    /// `timestamp`): with `.microsecond` or `.millisecond` every value reads exactly, and a Julian day
    /// whose value does not fit an Int64 in that unit throws instead of wrapping.
    public var int96TimestampUnit: TimeUnit

    /// Options with pyarrow's defaults unless given.
    public init(int96TimestampUnit: TimeUnit = .nanosecond) {
        self.int96TimestampUnit = int96TimestampUnit
    }
}
