import Testing
@testable import Lake
