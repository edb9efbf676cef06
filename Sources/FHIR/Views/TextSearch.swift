extension StringProtocol {
    /// Whether the text contains `needle`, byte for byte (UTF-8). Foundation's `contains` goes through
    /// NSString on Linux and the standard library's generic `firstRange(of:)` builds a searcher per call;
    /// readers call this for the words of many resources, so it is a plain byte scan that allocates
    /// nothing for native strings.
    public func includes(_ needle: some StringProtocol) -> Bool {
        if let found = utf8.withContiguousStorageIfAvailable({ haystack in
            needle.utf8.withContiguousStorageIfAvailable { Self.search(haystack, $0) }
        }), let found {
            return found
        }
        return Array(utf8).withUnsafeBufferPointer { haystack in
            Array(needle.utf8).withUnsafeBufferPointer { Self.search(haystack, $0) }
        }
    }

    private static func search(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
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
