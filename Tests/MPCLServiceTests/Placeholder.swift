import Testing
@testable import MPCLService
