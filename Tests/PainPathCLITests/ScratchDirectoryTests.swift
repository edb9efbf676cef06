import Foundation
import PainPathTestKit
import Testing

@Suite("the tests' scratch directories")
struct ScratchDirectoryTests {
    @Test func aScratchDirectoryIsRemovedWithEverythingInItWhenLastReleased() throws {
        var scratch: ScratchDirectory? = try ScratchDirectory("scratch-test")
        let path = try #require(scratch?.path)
        let file = try #require(try scratch?.write("text", to: "a.json"))
        try FileManager.default.createDirectory(atPath: path + "/nested", withIntermediateDirectories: false)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "text")
        #expect(path.hasPrefix(FileManager.default.temporaryDirectory.path))
        scratch = nil
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func eachScratchDirectoryIsItsOwn() throws {
        let first = try ScratchDirectory("scratch-test")
        let second = try ScratchDirectory("scratch-test")
        #expect(first.path != second.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: first.path).isEmpty)
    }
}
