import Columnar
import DataFrame
import DeltaLog
import ObjectStore
import Parquet

/// The one error type the Lake layer throws: a kind that says what sort of failure it is (and so which CLI
/// exit code and HTTP status it maps to) and the message of whatever went wrong underneath.
///
/// Every public operation converts what the lower layers throw (`DeltaError`, `TransactionError`,
/// `ParquetError`, `DataFrameError`, `ObjectStoreError`, ...) with `LakeError(_:)`, so callers (the CLI, the HTTP
/// service) switch on `kind` only.
public struct LakeError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure it is. Each kind has one exit code and one HTTP status.
    public enum Kind: String, Sendable, CaseIterable {
        /// The request is malformed: a bad option, an unknown column, an expression that does not parse.
        case invalidRequest
        /// The table, or the version or timestamp asked for, does not exist.
        case notFound
        /// Creating something that already exists (a table).
        case alreadyExists
        /// Another writer committed a conflicting change (after the retries the conflict rules allow).
        case conflict
        /// Data that does not fit the table's schema.
        case schemaViolation
        /// Data that breaks a NOT NULL or CHECK constraint.
        case constraintViolation
        /// The table's log or data files are malformed, inconsistent or missing.
        case corruptTable
        /// A valid table or file using something lake does not implement (a table feature, a codec).
        case unsupported
        /// The storage failed (I/O, permissions, the network).
        case storage
        /// The operation was cancelled (a server stopping a request, a signal).
        case cancelled
        /// Anything else that stopped the operation (an impossible commit, an output file that cannot be written).
        case failed
    }

    /// The kind of failure.
    public var kind: Kind
    /// What went wrong and what to do, from the layer that found it.
    public var message: String

    /// An error of `kind` saying `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Shorthand for a malformed request.
    public static func invalidRequest(_ message: String) -> LakeError { LakeError(.invalidRequest, message) }

    /// The message.
    public var description: String { message }

    /// The `lake` CLI's exit code: 1 error, 2 usage (a malformed request), 3 conflict after retries, 4 table or
    /// version not found.
    public var exitCode: Int32 {
        switch kind {
        case .invalidRequest: 2
        case .conflict: 3
        case .notFound: 4
        default: 1
        }
    }

    /// The HTTP status the service answers with.
    public var httpStatus: Int {
        switch kind {
        case .invalidRequest: 400
        case .notFound: 404
        case .alreadyExists, .conflict: 409
        case .schemaViolation, .constraintViolation: 422
        case .corruptTable: 500
        case .unsupported: 501
        case .storage: 503
        case .cancelled: 499
        case .failed: 500
        }
    }

    /// Classifies any error thrown below the Lake layer, keeping its message.
    public init(_ error: any Error) {
        switch error {
        case let e as LakeError:
            self = e
        case let e as DeltaError:
            self.init(Self.kind(of: e), e.description)
        case let e as TransactionError:
            switch e {
            case .tooManyAttempts: self.init(.conflict, e.description)
            case .alreadyFinished, .invalidCommit: self.init(.failed, e.description)
            }
        case let e as ParquetError:
            switch e.kind {
            case .corrupt: self.init(.corruptTable, e.description)
            case .unsupported: self.init(.unsupported, e.description)
            case .io: self.init(.storage, e.description)
            case .invalidArgument: self.init(.invalidRequest, e.description)
            }
        case let e as ObjectStoreError:
            self.init(Self.kind(of: e), e.description)
        case let e as DataFrameError:
            // Unknown names, text that does not parse and ill-typed expressions are the request's fault; values
            // that fail at evaluation (overflow, bad casts) are the data's. Readers of input files, whose parse
            // errors are the data's fault, go through `LakeError.inputData(_:)`.
            switch e {
            case .unknownColumn, .ambiguousColumn, .parse, .type: self.init(.invalidRequest, e.description)
            default: self.init(.schemaViolation, e.description)
            }
        case let e as BatchReadError:
            switch e {
            case let .input(inner): self.init(.schemaViolation, inner.description)
            case let .file(inner): self.init(inner)
            }
        case let e as TextInputError:
            self.init(.schemaViolation, e.description)
        case let e as ColumnarError:
            self.init(.schemaViolation, e.description)
        case let e as JSONSyntaxError:
            self.init(.corruptTable, e.description)
        case is CancellationError:
            self.init(.cancelled, "the operation was cancelled")
        default:
            // Errors of unknown origin (the CLI's own input and output files, say) are plain failures.
            self.init(.failed, String(describing: error))
        }
    }

    static func kind(of e: DeltaError) -> Kind {
        switch e {
        case .notATable, .versionOutOfRange, .timestampOutOfRange: .notFound
        case .corruptLog, .corruptTable, .versionGap, .invalidPartitionValue, .invalidDeletionVector, .fileNotFound: .corruptTable
        case .unsupportedProtocolVersion, .unsupportedFeature: .unsupported
        case .schemaMismatch, .invalidSchema: .schemaViolation
        case .tableAlreadyExists: .alreadyExists
        case .conflict: .conflict
        case .invalidArgument: .invalidRequest
        case let .storage(s): kind(of: s)
        }
    }

    static func kind(of e: ObjectStoreError) -> Kind {
        switch e {
        case .invalidPath, .unsupportedLocation: .invalidRequest
        case .notFound: .corruptTable
        case .alreadyExists, .io: .storage
        }
    }

    /// An error in text the caller wrote (a predicate, an expression): a malformed request whatever the
    /// underlying type says.
    static func request(_ error: any Error) -> LakeError {
        if let e = error as? LakeError { return e }
        return LakeError(.invalidRequest, String(describing: error))
    }

    /// An error reading an input file's content (CSV, NDJSON): the data does not fit, whatever the underlying
    /// type says.
    public static func inputData(_ error: any Error) -> LakeError {
        switch error {
        case let e as LakeError: return e
        case is DataFrameError, is TextInputError: return LakeError(.schemaViolation, String(describing: error))
        default: return LakeError(error)
        }
    }
}
