import Testing
@testable import MPCLMath
