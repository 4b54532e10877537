import Testing
@testable import DataFrame
