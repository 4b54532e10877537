import Columnar

/// Builds a string or binary column value by value, with offsets and bytes in two growing buffers.
struct StringBuilder {
    private(set) var offsets: [Int64]
    private(set) var data: [UInt8]

    init(capacity rows: Int, bytes: Int = 0) {
        offsets = [0]
        offsets.reserveCapacity(rows + 1)
        data = []
        data.reserveCapacity(bytes)
    }

    /// Appends one value.
    @inline(__always)
    mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        data.append(contentsOf: bytes)
        offsets.append(Int64(data.count))
    }

    /// Appends one value from a raw buffer slice.
    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        data.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        offsets.append(Int64(data.count))
    }

    /// Appends an empty value (for null slots).
    @inline(__always)
    mutating func appendEmpty() {
        offsets.append(Int64(data.count))
    }

    /// Appends bytes to the value being built without closing it; `close()` ends the value.
    @inline(__always)
    mutating func extend(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        data.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// Appends one byte to the value being built without closing it.
    @inline(__always)
    mutating func extend(_ byte: UInt8) {
        data.append(byte)
    }

    /// Ends the value started by `extend` calls.
    @inline(__always)
    mutating func close() {
        offsets.append(Int64(data.count))
    }

    /// The finished column.
    func column(_ type: DataType = .string, validity: Bitmap?) -> Column {
        Column(unchecked: type, count: offsets.count - 1, validity: Kernels.normalized(validity),
               values: .bytes(offsets: offsets, data: data))
    }
}
