#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The C library's Double functions under one platform-independent name.
///
/// Why a namespace: inside types that declare their own `log`, `exp` or `pow` (the `Real` protocol,
/// the tape's ops) an unqualified call resolves to the member, and the module-qualified spelling
/// (`Glibc.log`) differs per platform. `LibM.log(x)` means the C function everywhere; results are
/// libm's, so bit-identity across different C libraries is expected but not guaranteed.
public enum LibM {
    /// Natural logarithm ln x.
    @inlinable public static func log(_ x: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.log(x)
        #else
            return Darwin.log(x)
        #endif
    }

    /// eˣ.
    @inlinable public static func exp(_ x: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.exp(x)
        #else
            return Darwin.exp(x)
        #endif
    }

    /// xʸ.
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.pow(x, y)
        #else
            return Darwin.pow(x, y)
        #endif
    }

    /// cos x (x in radians).
    @inlinable public static func cos(_ x: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.cos(x)
        #else
            return Darwin.cos(x)
        #endif
    }

    /// The error function erf x = 2/√π ∫₀ˣ e^(−t²) dt.
    @inlinable public static func erf(_ x: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.erf(x)
        #else
            return Darwin.erf(x)
        #endif
    }
}
