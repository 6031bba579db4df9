import Testing
@testable import MPCL
