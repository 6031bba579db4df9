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
    @inlinable public static func log(_ x: Double) -> Double { cLog(x) }
    /// eˣ.
    @inlinable public static func exp(_ x: Double) -> Double { cExp(x) }
    /// xʸ.
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { cPow(x, y) }
    /// cos x, x in radians.
    @inlinable public static func cos(_ x: Double) -> Double { cCos(x) }
    /// The error function erf x = 2/√π ∫₀ˣ e^(−t²) dt.
    @inlinable public static func erf(_ x: Double) -> Double { cErf(x) }
}

// At file scope no member shadows the C names, so the unqualified calls reach Glibc or Darwin.
@usableFromInline func cLog(_ x: Double) -> Double { log(x) }
@usableFromInline func cExp(_ x: Double) -> Double { exp(x) }
@usableFromInline func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@usableFromInline func cCos(_ x: Double) -> Double { cos(x) }
@usableFromInline func cErf(_ x: Double) -> Double { erf(x) }
