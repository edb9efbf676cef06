import Foundation

/// Runs a libFuzzer entry point over files (or every file of directories) given as arguments: how a
/// crash input is reproduced without libFuzzer, and how a corpus is replayed in a normal build.
public func replayFuzzInputs(_ entry: (UnsafePointer<UInt8>, Int) -> CInt) {
    var paths: [String] = []
    for argument in CommandLine.arguments.dropFirst() {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory), isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            paths += names.sorted().map { argument + "/" + $0 }
        } else {
            paths.append(argument)
        }
    }
    for path in paths {
        guard let data = FileManager.default.contents(atPath: path) else { continue }
        let bytes = [UInt8](data)
        _ = bytes.withUnsafeBufferPointer { entry($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }
    print("\(paths.count) input(s) replayed without a crash")
}
