extension StringProtocol {
    /// The text's UTF-8 bytes, without a copy when it is stored contiguously (native Strings are); a copy
    /// otherwise. For byte-level checks of values read for every resource (dates, numbers, ids).
    @inlinable @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(utf8).withUnsafeBufferPointer(body)
    }

    /// Whether the text contains `needle`, byte for byte (UTF-8). Foundation's `contains` goes through
    /// NSString on Linux and the standard library's generic `firstRange(of:)` builds a searcher per call;
    /// readers call this for the words of many resources, so it is a plain byte scan that allocates
    /// nothing for native strings. Inlinable, so that the case stage's calls are specialized for String.
    @inlinable
    public func includes(_ needle: some StringProtocol) -> Bool {
        withUTF8Bytes { haystack in needle.withUTF8Bytes { Self.search(haystack, $0) } }
    }

    /// Whether the text begins with `prefix`, byte for byte (UTF-8): `UTF8View.starts(with:)` walked both strings
    /// through their index type, 340 instructions a property name.
    @inlinable
    public func beginsWith(_ prefix: some StringProtocol) -> Bool {
        withUTF8Bytes { text in prefix.withUTF8Bytes { Self.isPrefix($0, of: text) } }
    }

    @inlinable
    static func isPrefix(_ prefix: UnsafeBufferPointer<UInt8>, of text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard text.count >= prefix.count else { return false }
        for offset in 0..<prefix.count where text[offset] != prefix[offset] { return false }
        return true
    }

    @usableFromInline
    static func search(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var matched = 1
                while matched < needle.count && haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
