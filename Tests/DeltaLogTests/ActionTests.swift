import Testing
@testable import DeltaLog
